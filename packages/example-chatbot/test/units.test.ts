import { describe, expect, it } from "vitest";
import { correctionJsonSchema, optionsFromFields, type FeedbackRow, type State, type StatePatch } from "@motion/engine";
import { applyPatch } from "./helpers.ts";
import { chatbotParams, docsQa, learnFromFeedback, answerQuestion, type AnswerOutput } from "../src/app.ts";
import { chunkMarkdown, markdownTitle } from "../src/chunker.ts";
import { chatbotCorrection, readCorrection } from "../src/correction.ts";
import { extractiveAnswer, NO_ANSWER, segments } from "../src/answerer.ts";
import { hashedEmbed } from "../src/embeddings.ts";
import { toJsonl } from "../src/fine-tune.ts";
import { LabelModel } from "../src/label-votes.ts";
import { learn } from "../src/learning.ts";
import { emptyLexical, loadLexical, searchLexical, serialiseLexical } from "../src/lexical-index.ts";
import { parseBlocks } from "../src/markdown.ts";
import { providerFromEnv } from "../src/providers/index.ts";
import { score, train } from "../src/reranker.ts";
import { emptyIndexState, hashedEmbedder, indexView, lexicalDoc, storeLexicalIndex, updateIndex, type ChunkMeta } from "../src/search-index.ts";
import { splitSentences, terms, words } from "../src/text.ts";

const README = [
  "# [![build](https://ci.example/badge.svg)](https://ci.example) [![npm](https://img.shields.io/npm/v/x.svg)](https://npm.example)",
  "",
  '<h1 align="center">Widget</h1>',
  "",
  "Widget turns **plain** [text](https://example.com) into `widgets`. ![logo](logo.png)",
  "",
  "## Install",
  "",
  "Run the installer. It takes a minute.",
  "",
  "```sh",
  "npm install widget",
  "",
  "# not a heading",
  "widget --init",
  "```",
  "",
  "## Options",
  "",
  "| option | meaning |",
  "|---|---|",
  "| `size` | how big |",
  "",
  "- `color`: the colour of the widget.",
  "- `shape`: its shape.",
  "",
  "## Long",
  "",
  Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} talks about widgets at length.`).join(" "),
  "",
  "```js",
  Array.from({ length: 60 }, (_, i) => `const line${i} = widget(${i});`).join("\n"),
  "```",
].join("\n");

describe("markdown and chunking", () => {
  it("parses with mdast: badge headings dropped, an HTML <h1> is a heading, links keep their text, code stays fenced", () => {
    const blocks = parseBlocks(README);
    expect(blocks[0]).toEqual({ kind: "heading", depth: 1, text: "Widget" });
    expect(blocks[1]).toEqual({ kind: "prose", text: "Widget turns plain text into `widgets`." });
    expect(blocks.find((b) => b.kind === "code")).toEqual({ kind: "code", lang: "sh", code: "npm install widget\n\n# not a heading\nwidget --init" });
    expect(blocks.find((b) => b.kind === "table")).toEqual({ kind: "table", rows: ["option | meaning", "`size` | how big"] });
    expect(blocks.find((b) => b.kind === "list")).toEqual({ kind: "list", items: ["`color`: the colour of the widget.", "`shape`: its shape."] });
    expect(markdownTitle(README)).toBe("Widget");
    expect(markdownTitle("no heading at all")).toBeNull();
  });

  it("chunks on sections, never cuts a code block, never starts mid-sentence", () => {
    const chunks = chunkMarkdown(README, "Widget", { chunkSize: 300 });
    expect(chunks.map((c) => c.ord)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => c.section))).toEqual(new Set(["Widget", "Widget › Install", "Widget › Options", "Widget › Long"]));
    const install = chunks.filter((c) => c.section === "Widget › Install").map((c) => c.text).join("\n\n");
    expect(install).toContain("```sh\nnpm install widget\n\n# not a heading\nwidget --init\n```");
    for (const c of chunks) {
      // Every fence that opens closes in the same chunk.
      expect(c.text.split("\n").filter((l) => /^```/.test(l)).length % 2).toBe(0);
      // Prose starts with a capital letter, a list item, a table row or a fence: never mid-sentence.
      expect(c.text).toMatch(/^(?:[A-Z`]|- |```|option \|)/);
      if (!c.text.startsWith("```")) expect(c.text.length).toBeLessThanOrEqual(300);
    }
    const long = chunks.filter((c) => c.section === "Widget › Long");
    expect(long.length).toBeGreaterThan(3);
    for (const c of long.filter((x) => !x.text.startsWith("```"))) expect(c.text).toMatch(/^Sentence number \d+ .*widgets at length\.$/s);
    // An over-long code block is one chunk of its own, whole.
    const code = long.find((c) => c.text.startsWith("```js"))!;
    expect(code.text.length).toBeGreaterThan(300);
    expect(code.text).toContain("const line0 = widget(0);");
    expect(code.text).toContain("const line59 = widget(59);");
  });

  it("tokenises identifiers into parts, stems, drops stop words and folds British spellings", () => {
    expect(words("Use chalk.red and onIgnore or max_retries")).toEqual(["use", "chalk.red", "chalk", "red", "and", "onignore", "on", "ignore", "or", "max_retries", "max", "retries"]);
    expect(terms("How do I serialise the colours?")).toEqual(terms("serialize color"));
    expect(terms("the promise is otherwise")).toEqual(["promis", "otherwis"]);
    expect(splitSentences("Use e.g. the foo() method. It returns v1.2.3 here!")).toEqual(["Use e.g. the foo() method.", "It returns v1.2.3 here!"]);
  });
});

describe("the index in state", () => {
  const docs = [
    { url: "a", text: "# Alpha\n\nAlpha parses cron schedules.\n\n## Time zones\n\nSet the tz option to a zone name." },
    { url: "b", text: "# Beta\n\nBeta colours terminal output with hex colours." },
  ];
  const params = chatbotParams.parse({});
  const embedder = hashedEmbedder(256);

  it("BM25 through MiniSearch survives serialisation into state", () => {
    const index = emptyLexical();
    const chunks: ChunkMeta[] = [
      { url: "a", title: "Alpha", section: "Alpha › Time zones", ord: 0, text: "Set the tz option to a zone name." },
      { url: "b", title: "Beta", section: "Beta", ord: 0, text: "Colors for terminals." },
    ];
    index.addAll(chunks.map(lexicalDoc));
    const loaded = loadLexical(serialiseLexical(index));
    expect(searchLexical(loaded, "which zone option", 5)).toEqual(searchLexical(index, "which zone option", 5));
    expect(searchLexical(loaded, "colours", 5).map((h) => h.id)).toEqual(["b#0"]);
  });

  it("state migration 1 → 2 stores the BM25 index of a state written without one", async () => {
    expect(docsQa.stateSchema).toBe(2);
    expect(docsQa.migrations.map((m) => [m.from, m.to])).toEqual([[1, 2]]);
    const current = applyPatch({ ...emptyIndexState() } as State, (await updateIndex({ ...emptyIndexState() } as State, docs, { chunkSize: params.chunkSize, embedder })).patch);
    // A schema-1 state: the same chunks, no stored index, an older engine named.
    const { lexical: _dropped, ...old } = current;
    const v1 = { ...old, index: { ...(current.index as object), lexical: "older-engine" } } as State;
    const v2 = storeLexicalIndex(v1);
    expect(Buffer.isBuffer(v2.lexical)).toBe(true);
    expect((v2.index as { lexical: string }).lexical).toBe((current.index as { lexical: string }).lexical);
    expect(v2.chunks).toBe(v1.chunks);
    for (const q of ["quokkas", "time zone"]) expect(searchLexical(indexView(v2).lexical, q, 5)).toEqual(searchLexical(indexView(current).lexical, q, 5));
    // Already in the new format: kept as is.
    expect(storeLexicalIndex(current).lexical).toBe(current.lexical);
  });

  it("documents fits replace a page's chunks by url; the loaded index matches a fresh build", async () => {
    let state = { ...emptyIndexState() } as State;
    const first = await updateIndex(state, docs, { chunkSize: params.chunkSize, embedder });
    state = applyPatch(state, first.patch);
    expect(first.metrics).toMatchObject({ documents: 2, chunksAdded: 3, chunksRemoved: 0, indexChunks: 3, indexDocuments: 2 });
    const edited = { url: "a", text: "# Alpha\n\nAlpha parses cron schedules and quokkas." };
    const second = await updateIndex(state, [edited], { chunkSize: params.chunkSize, embedder });
    state = applyPatch(state, second.patch);
    expect(second.metrics).toMatchObject({ chunksAdded: 1, chunksRemoved: 2, indexChunks: 2, chunksEmbedded: 1 });
    const view = indexView(state);
    expect(view.chunks.map((c) => `${c.url}#${c.ord}`)).toEqual(["b#0", "a#0"]);
    expect(view.vectors.length).toBe(2 * view.dims);
    expect(indexView(state)).toBe(view); // one view per state version
    let fresh = { ...emptyIndexState() } as State;
    fresh = applyPatch(fresh, (await updateIndex(fresh, [docs[1]!, edited], { chunkSize: params.chunkSize, embedder })).patch);
    for (const q of ["quokkas", "time zone", "hex colours"]) {
      expect(searchLexical(view.lexical, q, 5)).toEqual(searchLexical(indexView(fresh).lexical, q, 5));
    }
    expect(Array.from(view.vectors)).toEqual(Array.from(indexView(fresh).vectors));
  });

  it("hashed trigram vectors are normalised and close for spelling variants", () => {
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((acc, x, i) => acc + x * b[i]!, 0);
    const a = hashedEmbed("serializer for colors", 512);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(hashedEmbed("logger", 512), hashedEmbed("logging", 512))).toBeGreaterThan(dot(hashedEmbed("logger", 512), hashedEmbed("router", 512)));
  });
});

describe("corrections and labels", () => {
  it("declares { answer?, source? } with source picked from the documents' urls, labeled by their titles", () => {
    const schema = correctionJsonSchema(docsQa.correction!);
    expect(optionsFromFields(schema)).toEqual([{ path: ["source"], optionsFrom: { relation: "documents", field: "url", label: "title" } }]);
    expect(chatbotCorrection.safeParse({ source: "docs/api.md" }).success).toBe(true);
    expect(chatbotCorrection.safeParse({}).success).toBe(false);
    expect(chatbotCorrection.safeParse({ source: 3 }).error?.issues[0]?.path).toEqual(["source"]);
  });

  it("reads stored corrections leniently, never taking an output's sources as the right page", () => {
    expect(readCorrection({ source: "a", answer: " x " })).toEqual({ answer: "x", source: "a" });
    expect(readCorrection({ url: "legacy" })).toEqual({ answer: null, source: "legacy" });
    expect(readCorrection("An answer")).toEqual({ answer: "An answer", source: null });
    expect(readCorrection({ answer: "fixed", sources: [{ url: "wrong" }] })).toEqual({ answer: "fixed", source: null });
    expect(readCorrection(42)).toBeNull();
  });

  it("folds labels: corrected source positive, cited pages negative, unknown sources ignored", () => {
    const known = (u: string) => u !== "gone";
    const event = (id: string, label: "good" | "bad", cited: string[], correction: { answer: string | null; source: string | null } | null) => ({ inferenceId: id, label, question: `q${id}`, answer: `a${id}`, citedUrls: cited, correction });
    const { learned, unknownSources } = learn({ labels: [], corrections: [], examples: [] }, [
      event("1", "good", ["u1", "u2"], null),
      event("2", "bad", ["u1", "u3"], { answer: null, source: "u3" }),
      event("3", "bad", ["u1", "u2"], { answer: "fixed", source: null }),
      event("4", "bad", ["u1"], null),
      event("5", "bad", ["u1"], { answer: null, source: "gone" }),
    ], known);
    expect(unknownSources).toBe(1);
    expect(learned.labels).toEqual([
      { inferenceId: "1", question: "q1", positive: ["u1"], negative: [] },
      { inferenceId: "2", question: "q2", positive: ["u3"], negative: ["u1"] },
      { inferenceId: "4", question: "q4", positive: [], negative: ["u1"] },
      { inferenceId: "5", question: "q5", positive: [], negative: ["u1"] },
    ]);
    expect(learned.corrections).toEqual([
      { inferenceId: "2", question: "q2", answer: null, source: "u3" },
      { inferenceId: "3", question: "q3", answer: "fixed", source: null },
    ]);
    const relabeled = learn(learned, [event("2", "good", ["u1"], null)], known).learned;
    expect(relabeled.corrections.map((c) => c.inferenceId)).toEqual(["3"]);
    expect(relabeled.labels.find((l) => l.inferenceId === "2")!.positive).toEqual(["u1"]);
  });

  it("votes with query-term associations, leaving a label out on request", () => {
    const labels = [
      { inferenceId: "1", question: "next run of a cron schedule", positive: ["cron"], negative: ["retry"] },
      { inferenceId: "2", question: "cron schedule in a timezone", positive: ["cron"], negative: [] },
      { inferenceId: "3", question: "print red text in a terminal", positive: ["chalk"], negative: [] },
    ];
    const model = new LabelModel(labels);
    const votes = model.votes("when does my cron job fire next?");
    expect(votes.for.get("cron")!).toBeGreaterThan(votes.for.get("chalk") ?? 0);
    expect(votes.against.get("retry")!).toBeGreaterThan(0);
    const loo = model.votes(labels[2]!.question, labels[2]!);
    expect(loo.for.get("chalk")).toBeUndefined();
    expect(model.votes("unrelated words entirely").for.size).toBe(0);
  });

  it("the feedback fit learns the corrected source, not the cited one, and a near-duplicate reuses it", async () => {
    const params = chatbotParams.parse({});
    let state = { ...emptyIndexState(), labels: [], corrections: [], examples: [] } as State;
    const docs = [
      { url: "cron", text: "# cron\n\nParse cron expressions and iterate over the next dates.\n\nUse the tz option for a timezone." },
      { url: "clock", text: "# clock\n\nThe clock shows the next dates and times of a schedule in any timezone." },
    ];
    state = applyPatch(state, (await updateIndex(state, docs, { chunkSize: params.chunkSize, embedder: hashedEmbedder(params.embeddingDims) })).patch);
    const question = "Which timezone do the next dates of a schedule use?";
    const before = await answerQuestion(state, question, params);
    const cited = before.sources.map((s) => s.url);
    const right = cited[0] === "cron" ? "clock" : "cron";
    const row: FeedbackRow = {
      inferenceId: "inf-1", trigger: "docs-qa", route: "questions", label: "bad", actor: "op",
      correction: { source: right }, input: { text: question }, output: before as unknown as AnswerOutput,
    };
    const { patch, metrics } = await learnFromFeedback(state, [row], params);
    expect(metrics).toMatchObject({ labeledQuestions: 1, corrections: 1, unknownSources: 0 });
    expect(patch.labels).toEqual([{ inferenceId: "inf-1", question, positive: [right], negative: cited.filter((u) => u !== right) }]);
    // A correction stored before the schema existed, shaped like the console sent it (the
    // output with a new answer): its `sources` are the pages being corrected, never positives.
    const legacy = await learnFromFeedback(state, [{ ...row, inferenceId: "inf-0", correction: { ...before, answer: "Use tz." } }], params);
    expect(legacy.patch.labels).toEqual([]);
    expect(legacy.patch.corrections).toEqual([{ inferenceId: "inf-0", question, answer: "Use tz.", source: null }]);
    const after = applyPatch(state, patch);
    const again = await answerQuestion(after, "Which timezone do the next dates of a schedule use?", params);
    expect(again.sources[0]!.url).toBe(right);
    expect(again.correctedFrom).toBe("inf-1");
  });
});

describe("learned fusion", () => {
  // One long guide mentions "widget" and "configure" in every section, and each widget in two of
  // them; each short page is about one widget. Summing every other chunk of a page ranks the guide first for every such question;
  // the labels show it, and the fit picks a fusion (how chunks add up) that ranks them right —
  // for a question about a widget nobody labeled too.
  const WIDGETS = ["aurora", "basalt", "cobalt", "dynamo", "ember", "fjord", "granite", "harbor", "indigo", "juniper"];
  const guide = ["# Guide", ...Array.from({ length: 20 }, (_, i) => `## Part ${i + 1}\n\nConfigure the widget with care, part ${i + 1}: every widget needs configuring before use, and a widget left unconfigured fails, even the ${WIDGETS[i % WIDGETS.length]} widget.`)].join("\n\n");
  const docs = [
    { url: "guide", text: guide },
    ...WIDGETS.map((w) => ({ url: w, text: `# ${w}\n\nThe ${w} widget: configure it with the ${w}Options object.` })),
  ];
  const label = (w: string, i: number, right: string, cited: string[]): FeedbackRow => ({
    inferenceId: `inf-${i}`, trigger: "docs-qa", route: "questions", label: cited[0] === right ? "good" : "bad", actor: "op",
    correction: cited[0] === right ? null : { source: right }, input: { text: `How do I configure the ${w} widget?` },
    output: { answer: "x", sources: cited.map((url) => ({ url })) } as unknown as AnswerOutput,
  });

  it("chooses how BM25, vectors and chunks add up from the labels, and infer uses it", async () => {
    const params = chatbotParams.parse({});
    let state = { ...emptyIndexState(), labels: [], corrections: [], examples: [] } as State;
    state = applyPatch(state, (await updateIndex(state, docs, { chunkSize: params.chunkSize, embedder: hashedEmbedder(params.embeddingDims) })).patch);
    const unlabeled = WIDGETS.at(-1)!;
    const before = await answerQuestion(state, `How do I configure the ${unlabeled} widget?`, params);
    expect(before.sources[0]!.url).toBe("guide");
    const rows = await Promise.all(WIDGETS.slice(0, -1).map(async (w, i) => label(w, i, w, (await answerQuestion(state, `How do I configure the ${w} widget?`, params)).sources.map((s) => s.url))));
    const { patch, metrics } = await learnFromFeedback(state, rows, params);
    expect(metrics.labeledHitAt1FusionChosen).toBeGreaterThan(metrics.labeledHitAt1FusionDefault!);
    expect(metrics.labeledHitAt1FusionChosen).toBe(1);
    const after = applyPatch(state, patch);
    // A near-duplicate of no correction (another widget): only the fusion carries over.
    const again = await answerQuestion(after, `How do I configure the ${unlabeled} widget?`, params);
    expect(again.correctedFrom).toBeNull();
    expect(again.sources[0]!.url).toBe(unlabeled);
  });

  it("keeps the default below minLabeledQuestions, and ignores a stored fusion that is not in the grid", async () => {
    const params = chatbotParams.parse({ minLabeledQuestions: 50 });
    let state = { ...emptyIndexState(), labels: [], corrections: [], examples: [] } as State;
    state = applyPatch(state, (await updateIndex(state, docs, { chunkSize: params.chunkSize, embedder: hashedEmbedder(params.embeddingDims) })).patch);
    const rows = WIDGETS.slice(0, 3).map((w, i) => label(w, i, w, ["guide", w]));
    const { patch } = await learnFromFeedback(state, rows, params);
    expect((patch.ranking as unknown as { fusion: unknown }).fusion).toEqual({ vectorScale: 1, support: { weight: 0.3, chunks: null } });
    const odd = applyPatch(state, { ranking: { voteWeight: 0, fusion: { vectorScale: 7, support: { weight: 9, chunks: 1 } } } as unknown as StatePatch[string] });
    expect((await answerQuestion(odd, "How do I configure the aurora widget?", params)).sources[0]!.url).toBe("guide");
  });
});

describe("answers", () => {
  const sources = [
    { url: "a", title: "A", section: "A › Reconnect", chunk: "By default the client reconnects. Control the delay with the `retryStrategy` option:\n\n```js\nnew Client({ retryStrategy: (n) => n * 50 })\n```\n\nUnrelated words follow here.", score: 1 },
    { url: "a", title: "A", section: "A › Other", chunk: "Another chunk mentions the delay once.", score: 0.5 },
    { url: "b", title: "B", section: "B", chunk: "The reconnect delay of page B is never quoted.", score: 0.4 },
  ];

  it("quotes the best sentence with its code block, whole and fenced, and cites it", () => {
    const answer = extractiveAnswer("How do I control the delay between reconnect attempts?", sources);
    expect(answer).toContain("Control the delay with the `retryStrategy` option: [1]");
    expect(answer).toContain("```js\nnew Client({ retryStrategy: (n) => n * 50 })\n```");
    expect(answer).not.toContain("page B");
    expect(answer).not.toContain("Unrelated");
    expect(extractiveAnswer("zebra giraffe", sources)).toBe(NO_ANSWER);
    expect(segments(sources[0]!.chunk).map((s) => s.kind)).toEqual(["text", "code", "text"]);
  });
});

describe("reranker, providers, fine-tuning data", () => {
  it("learns which feature separates relevant candidates", () => {
    const examples = Array.from({ length: 200 }, (_, i) => {
      const relevant = i % 2 === 0;
      return { x: [relevant ? 0.8 : 0.2, ((i * 7919) % 13) / 13], y: (relevant ? 1 : 0) as 0 | 1, weight: 1 };
    });
    const { model, accuracy } = train(examples, { epochs: 300, learningRate: 0.5, l2: 0.001 });
    expect(accuracy).toBeGreaterThan(0.95);
    expect(score(model.packed, [0.9, 0.5])).toBeGreaterThan(score(model.packed, [0.1, 0.5]));
  });

  it("chooses the provider from the environment", () => {
    expect(providerFromEnv({}).name).toBe("local");
    expect(providerFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:1/v1" }).name).toBe("openai");
    expect(providerFromEnv({ OPENAI_API_KEY: "k", MOTION_CHATBOT_PROVIDER: "local" }).name).toBe("local");
    expect(() => providerFromEnv({ MOTION_CHATBOT_PROVIDER: "other" })).toThrow(/local/);
  });

  it("exports fine-tuning data as chat JSONL", () => {
    const lines = toJsonl([{ question: "q", answer: "a" }]).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0].messages.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(lines[0].messages[2].content).toBe("a");
  });
});
