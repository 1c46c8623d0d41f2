import { describe, expect, it } from "vitest";
import { chatbotTrainingExample } from "../src/training-example.ts";

const input = { text: "How do I roll back?" };
const output = { answer: "Use motion.rollback.", sources: [{ url: "docs/state.md" }, { url: "docs/api.md" }] };

describe("the chatbot's fine-tuning examples", () => {
  it("keeps a good answer with its first cited page", () => {
    expect(chatbotTrainingExample({ inferenceId: "1", input, output, label: "good", correction: null })).toEqual({
      messages: [{ role: "user", content: "How do I roll back?" }, { role: "assistant", content: "Use motion.rollback.\n\nSource: docs/state.md" }],
    });
  });

  it("replaces a bad answer by the correction, with the corrected page", () => {
    expect(chatbotTrainingExample({ inferenceId: "2", input, output, label: "bad", correction: { answer: "Call state.rollback with a reason.", source: "docs/api.md" } })!.messages[1]).toEqual({
      role: "assistant", content: "Call state.rollback with a reason.\n\nSource: docs/api.md",
    });
    expect(chatbotTrainingExample({ inferenceId: "3", input, output, label: "bad", correction: "Plain text answer" })!.messages[1]!.content).toBe("Plain text answer");
  });

  it("leaves out what teaches no answer: only a source, no correction, no question", () => {
    expect(chatbotTrainingExample({ inferenceId: "4", input, output, label: "bad", correction: { source: "docs/api.md" } })).toBeNull();
    expect(chatbotTrainingExample({ inferenceId: "5", input, output, label: "bad", correction: null })).toBeNull();
    expect(chatbotTrainingExample({ inferenceId: "6", input: {}, output, label: "good", correction: null })).toBeNull();
  });
});
