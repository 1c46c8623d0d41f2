// The app with the OpenAI provider, through the real `openai` SDK over HTTP, against a local
// OpenAI-compatible server: OPENAI_BASE_URL is all it takes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Motion } from "@motion/engine";
import type { AnswerOutput } from "../src/app.ts";
import { loadCorpus } from "../src/corpus.ts";
import { FAKE_DIMS, startFakeOpenAI, type FakeOpenAI } from "./openai-server.ts";
import { tempDatabase } from "./helpers.ts";

const db = tempDatabase("motion-chatbot-openai-");
let server: FakeOpenAI;
let motion: Motion;
/** The schedule clock: the fine-tune poll ticks only when the test moves it. */
let now = new Date("2026-05-04T09:01:00Z");

async function ask(text: string): Promise<{ id: string; output: AnswerOutput }> {
  const result = await motion.add("questions", { text });
  const inference = result.inferences[0]!;
  expect(inference.error).toBeNull();
  return { id: inference.id, output: inference.output as AnswerOutput };
}

const chats = () => server.requests.filter((r) => r.path === "/chat/completions");

beforeAll(async () => {
  server = await startFakeOpenAI();
  // The provider is chosen when the app module loads (here and in fit worker threads, which
  // inherit this environment), so set it before importing the app.
  process.env.MOTION_CHATBOT_PROVIDER = "";
  process.env.OPENAI_BASE_URL = server.baseURL;
  process.env.OPENAI_API_KEY = "sk-test-motion";
  const { chatbotApp } = await import("../src/app.ts");
  motion = await Motion.open({
    app: chatbotApp,
    databaseUrl: db.url,
    params: { "docs-qa": { fineTune: true, fineTuneMinExamples: 2, minLabeledQuestions: 2 } },
    schedules: { auto: false, now: () => now },
  });
  await motion.schedules.runDue(); // the poll's first sight: a baseline
});

afterAll(async () => {
  await motion?.close();
  await server?.close();
  db.cleanup();
});

describe("docs chatbot, OpenAI provider against a local OpenAI-compatible server", () => {
  it("embeds chunks through the SDK (base64 float32) and answers with streamed chat", async () => {
    await motion.addMany("documents", loadCorpus());
    await motion.flush();
    const embeddings = server.requests.filter((r) => r.path === "/embeddings");
    expect(embeddings.length).toBeGreaterThan(0);
    expect(embeddings[0]!.body).toMatchObject({ model: "text-embedding-3-small", encoding_format: "base64" });
    expect(embeddings[0]!.authorization).toBe("Bearer sk-test-motion");

    const { output } = await ask("How do scripts authenticate to the API with a key?");
    expect(output).toMatchObject({ provider: "openai", model: "gpt-4o-mini", retrieval: "hybrid", fewShot: 0 });
    expect(output.sources.length).toBe(4);
    expect(output.sources.map((s) => s.url)).toContain("docs/api.md");
    expect(output.answer).toBe(`Answer from gpt-4o-mini: see [1] (${output.sources[0]!.url}).`);
    const chat = chats().at(-1)!;
    expect(chat.body).toMatchObject({ model: "gpt-4o-mini", stream: true, temperature: 0.2 });
    expect(chat.body.messages[0].role).toBe("system");
    expect(chat.body.messages.at(-1).content).toContain("Question: How do scripts authenticate");
    // The question was embedded too (dense retrieval), with the same width as the index.
    const lastEmbedding = server.requests.filter((r) => r.path === "/embeddings").at(-1)!;
    expect(lastEmbedding.body.input).toEqual(["How do scripts authenticate to the API with a key?"]);
    expect(FAKE_DIMS).toBe(64);
  });

  it("answers without streaming when the stream param is off", async () => {
    await motion.setParams("docs-qa", { fineTune: true, fineTuneMinExamples: 2, minLabeledQuestions: 2, stream: false, temperature: 0 }, { actor: "test" });
    const { output } = await ask("What does the Review page let a labeler do?");
    expect(output.answer).toMatch(/^Answer from gpt-4o-mini/);
    expect(chats().at(-1)!.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0 });
    expect(chats().at(-1)!.body.stream).toBeUndefined();
  });

  it("learns from corrections: few-shot examples, then a fine-tuning job whose model becomes state", async () => {
    const start = motion.activeVersion("docs-qa");
    const a = await ask("Which Node.js version does Motion need?");
    const b = await ask("Where does npm start keep its data?");
    await motion.feedback(a.id, { label: "bad", actor: "ops@example.com", correction: { answer: "Node.js 20.19 or newer.", source: "docs/getting-started.md" } });
    await motion.feedback(b.id, { label: "bad", actor: "ops@example.com", correction: { answer: "In .motion/motion.db where you ran it.", source: "docs/getting-started.md" } });
    await motion.flush();
    expect(motion.activeVersion("docs-qa")).toBeGreaterThan(start);
    const upload = server.requests.find((r) => r.path === "/files")!;
    expect(upload.raw).toContain("Node.js 20.19 or newer.");
    expect(upload.raw).toContain('"role":"assistant"');
    const job = server.requests.find((r) => r.path === "/fine_tuning/jobs")!;
    expect(job.body).toMatchObject({ model: "gpt-4o-mini-2024-07-18", training_file: "file-motion-1", suffix: "motion-docs" });

    // Still the base model until the job is seen to succeed; few-shot examples are in the prompt.
    const before = await ask("What runtime version is required by Motion?");
    expect(before.output.model).toBe("gpt-4o-mini");
    expect(before.output.fewShot).toBeGreaterThan(0);
    expect(chats().at(-1)!.body.messages.some((m: { role: string; content: string }) => m.role === "assistant" && m.content === "Node.js 20.19 or newer.")).toBe(true);

    // Nobody labels: the scheduled poll (every 5 minutes) notices the job has succeeded; its model id becomes state.
    const polls = () => server.requests.filter((r) => r.method === "GET" && r.path === "/fine_tuning/jobs/ftjob-motion-1").length;
    expect(polls()).toBe(0);
    now = new Date("2026-05-04T09:05:01Z");
    const [poll] = await motion.schedules.runDue();
    expect(poll).toMatchObject({ route: "fine-tune-poll", outcome: { kind: "run", rows: 0 } });
    await motion.flush();
    expect(polls()).toBe(1);
    const [info] = await motion.schedules.list();
    expect(info).toMatchObject({ route: "fine-tune-poll", cron: "*/5 * * * *", lastRun: { status: "succeeded", producedVersion: motion.activeVersion("docs-qa") } });
    const after = await ask("How do I roll back a trigger to an earlier version?");
    expect(after.output.model).toBe("ft:gpt-4o-mini-2024-07-18:motion-docs:abc123");
    expect(chats().at(-1)!.body.model).toBe("ft:gpt-4o-mini-2024-07-18:motion-docs:abc123");
  });
});

describe("fine-tune poll schedule", () => {
  it("a tick with no running job polls nothing and commits no version", async () => {
    const version = motion.activeVersion("docs-qa");
    const polled = server.requests.length;
    now = new Date("2026-05-04T09:10:00Z");
    await motion.schedules.runDue();
    await motion.flush();
    expect(motion.activeVersion("docs-qa")).toBe(version);
    expect(server.requests.length).toBe(polled);
    const [info] = await motion.schedules.list();
    expect(info!.lastRun).toMatchObject({ status: "succeeded", producedVersion: null });
  });
});
