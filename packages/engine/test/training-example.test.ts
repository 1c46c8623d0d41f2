import { describe, expect, it } from "vitest";
import { messageText, toOpenAIJsonl, type LabeledExample } from "../src/index.ts";
import { labelCsvHeader, labelCsvRows, labelJsonl } from "../src/read-model/label-csv.ts";

const examples: LabeledExample[] = [
  { inferenceId: "1", input: { question: "Q1" }, output: { answer: "A1", sources: [] }, label: "good", correction: null },
  { inferenceId: "2", input: { text: "Q2" }, output: "wrong", label: "bad", correction: "right" },
  { inferenceId: "3", input: "Q3", output: "meh", label: "bad", correction: null },
  { inferenceId: "4", input: { n: 1 }, output: { n: 2 }, label: "good", correction: null },
];

describe("fine-tuning examples from labels", () => {
  it("by default keeps good outputs, replaces bad ones by corrections, skips bad without correction", () => {
    const out = toOpenAIJsonl(examples, "sys");
    expect(out.lines).toBe(3);
    expect(out.skipped).toBe(1);
    expect(out.content.endsWith("\n")).toBe(true);
    expect(out.content.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([
      { messages: [{ role: "system", content: "sys" }, { role: "user", content: "Q1" }, { role: "assistant", content: "A1" }] },
      { messages: [{ role: "system", content: "sys" }, { role: "user", content: "Q2" }, { role: "assistant", content: "right" }] },
      { messages: [{ role: "system", content: "sys" }, { role: "user", content: '{"n":1}' }, { role: "assistant", content: '{"n":2}' }] },
    ]);
    expect(toOpenAIJsonl([]).content).toBe("");
    expect(messageText(null, ["x"])).toBe("null");
  });

  it("uses the trigger's mapping when it declares one, and rejects a mapping that returns a bad shape", () => {
    const cite = (e: LabeledExample) =>
      e.label === "bad" && e.correction && typeof e.correction === "object"
        ? { messages: [{ role: "user" as const, content: String((e.input as { text: string }).text) }, { role: "assistant" as const, content: `${(e.correction as { answer: string }).answer} (see ${(e.correction as { source: string }).source})` }] }
        : null;
    const out = toOpenAIJsonl([{ inferenceId: "9", input: { text: "Q" }, output: "x", label: "bad", correction: { answer: "A", source: "docs/a.md" } }, examples[0]!], undefined, cite);
    expect(out).toMatchObject({ lines: 1, skipped: 1 });
    expect(JSON.parse(out.content)).toEqual({ messages: [{ role: "user", content: "Q" }, { role: "assistant", content: "A (see docs/a.md)" }] });
    expect(() => toOpenAIJsonl(examples, undefined, () => ({ messages: [{ role: "robot", content: 1 }] }) as never)).toThrow(/trainingExample for inference 1 must return/);
  });

  it("writes raw records as RFC 4180 CSV and as JSON Lines", () => {
    const item = {
      inferenceId: "i1", rowId: "r1", relation: "questions", route: "ask", stateVersion: 3, input: { text: 'say "hi", then\nbye' }, output: "ok",
      label: "bad" as const, correction: { answer: "a,b" }, note: null, actor: "ana@example.com", labeledAt: new Date("2026-01-02T03:04:05.000Z"), labels: 2,
      scores: { helpfulness: 4, topic: "billing, refunds" } as Record<string, number | string>,
    };
    expect(labelCsvHeader()).toBe("inferenceId,rowId,relation,route,stateVersion,label,actor,labeledAt,labels,note,input,output,correction\r\n");
    expect(labelCsvRows([item])).toBe('i1,r1,questions,ask,3,bad,ana@example.com,2026-01-02T03:04:05.000Z,2,,"{""text"":""say \\""hi\\"", then\\nbye""}",ok,"{""answer"":""a,b""}"\r\n');
    expect(JSON.parse(labelJsonl([item]))).toMatchObject({ inferenceId: "i1", labeledAt: "2026-01-02T03:04:05.000Z", correction: { answer: "a,b" }, labels: 2, scores: { helpfulness: 4 } });
    // Declared scores become score.<name> columns; a score not given is an empty cell.
    expect(labelCsvHeader(["helpfulness", "topic", "comment"])).toMatch(/,correction,score\.helpfulness,score\.topic,score\.comment\r\n$/);
    expect(labelCsvRows([item], ["helpfulness", "topic", "comment"])).toMatch(/"\{""answer"":""a,b""\}",4,"billing, refunds",\r\n$/);
  });
});
