import { describe, expect, it } from "vitest";
import { chunkMarkdown } from "../src/chunker.ts";
import { lexicalEmbed, cosine } from "../src/embeddings.ts";
import { replaceDocuments, topK, type ChunkMeta } from "../src/vector-index.ts";
import { score, train } from "../src/reranker.ts";
import { labelVotes, learn, parseCorrection } from "../src/learning.ts";
import { extractiveAnswer, NO_ANSWER } from "../src/answerer.ts";
import { toJsonl } from "../src/fine-tune.ts";
import { providerFromEnv } from "../src/providers/index.ts";

describe("chunker", () => {
  const doc = `# Guide\n\nIntro paragraph.\n\n## Install\n\n${"Install step words here. ".repeat(30)}\n\n\`\`\`sh\nnpm install\n\n# not a heading\nnpm start\n\`\`\`\n\n## Run\n\nRun it.`;

  it("splits by heading, keeps the section path, respects size and overlap, and never cuts a code fence", () => {
    const chunks = chunkMarkdown(doc, "Guide", { chunkSize: 300, chunkOverlap: 60 });
    expect(chunks.map((c) => c.section)).toContain("Guide › Install");
    expect(chunks.at(-1)).toMatchObject({ section: "Guide › Run", text: "Run it." });
    expect(chunks.every((c) => c.text.length <= 300 + 60)).toBe(true);
    const install = chunks.filter((c) => c.section === "Guide › Install");
    expect(install.length).toBeGreaterThan(2);
    // Overlap: the next chunk starts with the tail of the previous one.
    expect(install[1]!.text.slice(0, 20)).toBe(install[0]!.text.slice(install[0]!.text.indexOf(install[1]!.text.slice(0, 20))).slice(0, 20));
    const fence = chunks.find((c) => c.text.includes("npm install"))!;
    expect(fence.text).toContain("# not a heading");
    expect(fence.text).toContain("npm start");
    expect(chunks.map((c) => c.ord)).toEqual(chunks.map((_, i) => i));
  });
});

describe("embeddings and index", () => {
  it("hashed lexical vectors are normalised, deterministic and similar for shared terms", () => {
    const a = lexicalEmbed("rolling back the active version", 256);
    const b = lexicalEmbed("roll back to an earlier version", 256);
    const c = lexicalEmbed("API keys use bearer tokens", 256);
    expect(Array.from(a)).toEqual(Array.from(lexicalEmbed("rolling back the active version", 256)));
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });

  it("replaces a document's chunks instead of duplicating them", () => {
    const dims = 8;
    const meta = (url: string, ord: number): ChunkMeta => ({ url, title: url, section: url, ord, text: `${url}${ord}` });
    const rows = (n: number, v: number) => new Float32Array(n * dims).fill(v);
    let index = replaceDocuments({ chunks: [], lexical: new Float32Array(0), dims, dense: null, denseDims: 0 }, [
      { url: "a", chunks: [meta("a", 0), meta("a", 1)], lexical: rows(2, 1), dense: null },
      { url: "b", chunks: [meta("b", 0)], lexical: rows(1, 2), dense: null },
    ], 0);
    index = replaceDocuments(index, [{ url: "a", chunks: [meta("a", 0), meta("a", 1), meta("a", 2)], lexical: rows(3, 3), dense: null }], 0);
    expect(index.chunks.map((c) => `${c.url}${c.ord}`)).toEqual(["b0", "a0", "a1", "a2"]);
    expect(index.lexical.length).toBe(4 * dims);
    expect(index.lexical[0]).toBe(2);
    expect(index.lexical[dims]).toBe(3);
    const hits = topK(rows(1, 1), index.lexical, 4, dims, 2);
    expect(hits.map((h) => h.row)).toEqual([1, 2]);
  });
});

describe("reranker", () => {
  it("learns which feature separates relevant candidates", () => {
    const examples = Array.from({ length: 200 }, (_, i) => {
      const relevant = i % 2 === 0;
      return { x: [relevant ? 0.8 : 0.2, (i * 7919) % 13 / 13], y: (relevant ? 1 : 0) as 0 | 1, weight: 1 };
    });
    const { model, accuracy } = train(examples, { epochs: 300, learningRate: 0.5, l2: 0.001 });
    expect(accuracy).toBeGreaterThan(0.95);
    expect(score(model.packed, [0.9, 0.5])).toBeGreaterThan(score(model.packed, [0.1, 0.5]));
  });
});

describe("learning from feedback", () => {
  it("parses corrections and folds labels, replacing a relabeled inference", () => {
    expect(parseCorrection("The answer")).toEqual({ answer: "The answer", urls: [] });
    expect(parseCorrection({ url: "docs/api.md" })).toEqual({ answer: null, urls: ["docs/api.md"] });
    expect(parseCorrection({ sources: [{ url: "a" }, "b"], answer: " x " })).toEqual({ answer: "x", urls: ["a", "b"] });
    expect(parseCorrection(42)).toBeNull();
    const first = learn({ labels: [], corrections: [], examples: [] }, [
      { inferenceId: "i1", label: "good", question: "q1", answer: "a1", citedUrls: ["u1", "u2"], correction: null },
      { inferenceId: "i2", label: "bad", question: "q2", answer: "a2", citedUrls: ["u1"], correction: { answer: "right", urls: ["u3"] } },
    ]);
    expect(first.labels).toEqual([
      { inferenceId: "i1", question: "q1", positive: ["u1"], negative: [] },
      { inferenceId: "i2", question: "q2", positive: ["u3"], negative: ["u1"] },
    ]);
    expect(first.corrections).toEqual([{ inferenceId: "i2", question: "q2", answer: "right", urls: ["u3"] }]);
    const second = learn(first, [{ inferenceId: "i2", label: "good", question: "q2", answer: "a2", citedUrls: ["u1"], correction: null }]);
    expect(second.corrections).toEqual([]);
    expect(second.labels.find((l) => l.inferenceId === "i2")!.positive).toEqual(["u1"]);
  });

  it("votes for the pages similar labeled questions pointed at, leaving one out on request", () => {
    const labels = [
      { inferenceId: "1", question: "how do I roll back state", positive: ["ops"], negative: [] },
      { inferenceId: "2", question: "which role can label answers", positive: ["console"], negative: [] },
    ];
    const votes = labelVotes("roll back the state please", labels, 256);
    expect(votes.get("ops")!).toBeGreaterThan(votes.get("console") ?? 0);
    expect(labelVotes("how do I roll back state", labels, 256, "1").get("ops")).toBeUndefined();
  });

  it("exports fine-tuning data as chat JSONL", () => {
    const lines = toJsonl([{ question: "q", answer: "a" }]).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0].messages.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(lines[0].messages[2].content).toBe("a");
  });
});

describe("answers and providers", () => {
  it("answers extractively with citations, and admits when nothing matches", () => {
    const sources = [
      { url: "a", title: "A", section: "A", chunk: "Rollback re-points the active alias. Unrelated text here.", score: 1 },
      { url: "b", title: "B", section: "B", chunk: "Fits continue from the rolled back version.", score: 0.5 },
    ];
    const answer = extractiveAnswer("How does rollback move the active alias?", sources);
    expect(answer).toContain("Rollback re-points the active alias. [1]");
    expect(extractiveAnswer("zebra giraffe", sources)).toBe(NO_ANSWER);
  });

  it("chooses the provider from the environment", () => {
    expect(providerFromEnv({}).name).toBe("local");
    expect(providerFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:1/v1" }).name).toBe("openai");
    expect(providerFromEnv({ OPENAI_API_KEY: "k", MOTION_CHATBOT_PROVIDER: "local" }).name).toBe("local");
    expect(() => providerFromEnv({ MOTION_CHATBOT_PROVIDER: "other" })).toThrow(/local/);
  });
});
