// Random and malformed inputs at every procedure, as an admin (everything allowed): only 4xx
// outcomes, never INTERNAL_SERVER_ERROR. Seeded, so a failure reproduces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { appRouter } from "../src/index.ts";
import { databaseFactories, openEnv, procedureAt, type TestEnv } from "./harness.ts";

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_STRINGS = [
  "", " ", "qa", "questions", "a\u0000b", "\ud800", "x\udc00y", "💥", "' OR 1=1 --", '"; DROP TABLE "Row"; --', "$.x", "a.b", "__proto__", "constructor",
  "%", "_", "\\", "null", "0", "-1", "1e309", "x".repeat(5_000), "é".repeat(300), "mk_" + "a".repeat(43), "0000000000000000000",
];
const NASTY_NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity, 1e-300];

function randomValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  if (r < 0.22) return pick(NASTY_STRINGS);
  if (r < 0.4) return pick(NASTY_NUMBERS);
  if (r < 0.47) return rand() < 0.5;
  if (r < 0.53) return null;
  if (r < 0.58) return undefined;
  if (r < 0.64) return pick([new Date(0), new Date(8.64e15), new Date(Number.NaN), new Date(), new Date(-8.64e15)]);
  if (r < 0.68) return BigInt(Math.floor(rand() * 1e6));
  if (depth > 3) return pick(NASTY_STRINGS);
  if (r < 0.82) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const keys = ["relation", "trigger", "version", "id", "cursor", "limit", "filter", "field", "op", "value", "label", "row", "rows", "role", "params", "__proto__", "from", "to"];
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(keys), randomValue(rand, depth + 1)]));
}

function deep(n: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

/** A plausible input per procedure; the fuzzer mutates one field at a time. */
function samples(ids: { row: string; inference: string; fit: string; user: string; key: string; queue: string }): Record<string, Record<string, unknown> | undefined> {
  return {
    health: undefined,
    "auth.me": undefined,
    "relations.list": { cursor: "questions", limit: 2 },
    "rows.list": { relation: "questions", limit: 5, cursor: ids.row, filter: [{ field: "score", op: "gt", value: 3 }], from: new Date(0), to: new Date() },
    "rows.count": { relation: "questions", filter: [{ field: "topic", op: "contains", value: "a" }] },
    "rows.get": { id: ids.row },
    "rows.add": { relation: "questions", row: { text: "fuzz" }, idempotencyKey: "fuzz-1" },
    "rows.addMany": { relation: "questions", rows: [{ text: "fuzz" }], idempotencyKey: "fuzz-many" },
    "rows.delete": { id: ids.row, reason: "fuzz" },
    "rows.purge": { relation: "questions", before: new Date(0), reason: "fuzz" },
    "inferences.list": { trigger: "qa", relation: "questions", labeled: false, label: "good", labeledBy: "x@example.com", minLatencyMs: 0, maxLatencyMs: 10, errors: false, text: "fuzz", cursor: ids.inference, limit: 3 },
    "inferences.get": { id: ids.inference },
    "feedback.label": { inferenceId: ids.inference, label: "bad", correction: { answer: "x" }, note: "n" },
    "feedback.list": { trigger: "qa", label: "bad", limit: 3 },
    "feedback.export": { trigger: "qa", format: "openai-jsonl", cursor: ids.inference, limit: 10 },
    "review.next": { trigger: "triage", filter: "unlabeled", version: 0, exclude: [ids.inference] },
    "review.release": { inferenceId: ids.inference },
    "review.progress": { trigger: "triage" },
    "triggers.list": { cursor: "qa", limit: 2 },
    "triggers.get": { trigger: "qa" },
    "triggers.idle": undefined,
    "triggers.correctionOptions": { trigger: "qa", field: ["source"], search: "a", limit: 5 },
    "triggers.setParams": { trigger: "qa", params: { prefix: "A: " } },
    "state.versions": { trigger: "qa", cursor: 2, limit: 2 },
    "state.get": { trigger: "qa", version: 0 },
    "state.outcomes": { trigger: "qa", versions: [0] },
    "state.outcomesOverTime": { trigger: "qa", versions: [0] },
    "state.evaluate": { trigger: "qa", versions: [0] },
    "state.diff": { trigger: "qa", from: 0, to: 0 },
    "state.rollback": { trigger: "qa", version: 0, reason: "fuzz" },
    "state.unpin": { trigger: "qa" },
    "state.collect": { trigger: "qa", keepVersions: 1000, reason: "fuzz" },
    "state.migrations": { trigger: "qa" },
    "state.migrate": { trigger: "qa", to: 1, reason: "fuzz" },
    "state.aliasHistory": { trigger: "qa", alias: "active", limit: 2 },
    "state.onVersion": { trigger: "qa", lastEventId: null },
    "fits.list": { trigger: "qa", status: "failed", deadLettered: true, limit: 2 },
    "fits.get": { id: ids.fit },
    "fits.backlog": { trigger: "qa", windowMinutes: 60, bucketMinutes: 5 },
    "fits.onIdle": { trigger: "qa" },
    "fits.retry": { id: ids.fit, reason: "fuzz" },
    "fits.retryMany": { ids: [ids.fit], reason: "fuzz" },
    "schedules.list": { trigger: "qa" },
    "schedules.history": { trigger: "qa", limit: 5 },
    "schedules.preview": { cron: "0 * * * *", timezone: "Europe/Berlin", count: 3 },
    "schedules.runNow": { trigger: "qa", reason: "fuzz" },
    "stats.overview": { minutes: 5 },
    "drift.relations": undefined,
    "drift.partitions": { relation: "readings", from: "2026-01-01", to: "2026-01-31" },
    "drift.profile": { relation: "readings", partition: "2026-01-03" },
    "drift.series": { relation: "readings", column: "value", statistic: "mean", from: "2026-01-01" },
    "drift.heatmap": { relation: "readings", to: "2026-01-31" },
    "drift.events": { relation: "readings", partition: "2026-01-03", limit: 5 },
    "drift.alerts": undefined,
    "drift.check": { relation: "readings" },
    "drift.release": { relation: "readings", partition: "2026-01-03", reason: "fuzz" },
    "drift.drop": { relation: "readings", partition: "2026-01-03", reason: "fuzz" },
    "drift.markValid": { relation: "readings", partition: "2026-01-03", reason: "fuzz" },
    "users.list": { cursor: ids.user, limit: 5 },
    "users.create": { email: "fuzz@example.com", password: "long enough", role: "viewer" },
    "users.setRole": { userId: ids.user, role: "labeler" },
    "users.disable": { userId: ids.user, reason: "fuzz" },
    "users.enable": { userId: ids.user },
    "users.delete": { userId: ids.user, reason: "fuzz" },
    "users.setPassword": { userId: ids.user, password: "another long one" },
    "apiKeys.list": { includeRevoked: true, cursor: ids.key, limit: 5 },
    "apiKeys.create": { name: "fuzz", role: "viewer", expiresAt: new Date(Date.now() + 86_400_000) },
    "apiKeys.revoke": { id: ids.key },
    "audit.list": { action: "state.rollback", limit: 2 },
    "feedback.score": { inferenceId: ids.inference, scores: { helpfulness: 3, tone: "friendly" } },
    "queues.list": { trigger: "qa", mine: true },
    "queues.get": { id: ids.queue },
    "queues.create": { name: "fuzz queue", trigger: "qa", description: "d", feed: { filter: { labeled: false }, sample: { share: 0.5, seed: "s" }, maxItems: 5 }, assignees: ["x@example.com"] },
    "queues.update": { id: ids.queue, name: "renamed", description: null, assignees: [] },
    "queues.assignItem": { queueId: ids.queue, inferenceId: ids.inference, assignee: "labeler@example.com" },
    "queues.delete": { id: ids.queue },
    "queues.next": { queueId: ids.queue },
    "queues.complete": { queueId: ids.queue, inferenceId: ids.inference, label: "good", note: "n", scores: { helpfulness: 2 } },
    "queues.skip": { queueId: ids.queue, inferenceId: ids.inference },
    "experiments.get": { trigger: "qa" },
    "experiments.setCandidate": { trigger: "qa", version: 0, reason: "fuzz" },
    "experiments.settings": { trigger: "qa", shadow: { share: 0.5 }, canary: { share: 0.1 }, rule: { name: "r", minLabels: 5, confidence: 0.95 } },
    "experiments.promote": { trigger: "qa", reason: "fuzz" },
    "experiments.abort": { trigger: "qa", reason: "fuzz" },
    "experiments.evaluate": { trigger: "qa" },
    "experiments.shadowRows": { trigger: "qa", version: 0, differsOnly: true, limit: 3 },
    "experiments.shadowSummary": { trigger: "qa", version: 0 },
    "experiments.history": { trigger: "qa", limit: 3 },
    "experiments.variants": { trigger: "qa" },
    "experiments.addVariant": { trigger: "qa", name: "fuzz", params: {}, weight: 0.1 },
    "experiments.setVariantWeights": { trigger: "qa", weights: { fuzz: 0.2 } },
    "experiments.removeVariant": { trigger: "qa", name: "fuzz" },
  };
}

const factories = await databaseFactories();

describe.each(factories)("fuzz on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("answers random and malformed input at every procedure with 4xx only", async () => {
    const labeler = env.caller("labeler");
    await labeler.rows.addMany({ relation: "docs", rows: [{ url: "a", body: "x" }, { url: "b", body: "y" }] });
    const [added] = await labeler.rows.addMany({ relation: "questions", rows: [{ text: "q", score: 1 }] });
    await labeler.rows.add({ relation: "jobs", row: { fail: true } });
    // Judged partitions, so the drift samples reach the verdicts and decisions.
    const readings = Array.from({ length: 8 * 10 }, (_, i) => ({ day: `2026-01-0${1 + Math.floor(i / 10)}`, value: (i % 10) * (i >= 70 ? 1000 : 1), sensor: "s" }));
    await labeler.rows.addMany({ relation: "readings", rows: readings });
    await labeler.drift.check({ relation: "readings" });
    await env.motion.flush();
    const fit = (await env.caller("viewer").fits.list({ trigger: "flaky" })).items[0]!;
    const key = (await env.caller("admin").apiKeys.list({ limit: 200 })).items[0]!;
    const user = (await env.caller("admin").users.list({ limit: 200 })).items.find((u) => u.role === "viewer")!;
    const queue = await env.caller("admin").queues.create({ name: "fuzzed", trigger: "qa", feed: { maxItems: 3 } });
    const sample = samples({ row: added!.id, inference: added!.inferences[0]!.id, fit: fit.id, user: user.id, key: key.id, queue: queue.id });
    const paths = Object.keys(appRouter._def.procedures);
    expect(Object.keys(sample).sort()).toEqual([...paths].sort());

    const caller = env.caller("apikey-admin");
    const rand = prng(20261126);
    const broken: string[] = [];
    let calls = 0;
    const attempt = async (path: string, input: unknown) => {
      calls++;
      try {
        await procedureAt(caller, path)(input);
      } catch (error) {
        if (!(error instanceof TRPCError)) {
          broken.push(`${path} threw a non-tRPC ${(error as Error)?.name}: ${(error as Error)?.message}`);
          return;
        }
        const status = getHTTPStatusCodeFromError(error);
        if (status < 400 || status >= 500) broken.push(`${path} → ${error.code} (${status}): ${error.message} ← ${describeInput(input)}`);
      }
    };
    for (const path of paths) {
      const base = sample[path];
      const inputs: unknown[] = [undefined, null, 0, "", [], {}, "x", [base], deep(200), { ...base, extra: deep(40) }];
      for (let i = 0; i < 12; i++) inputs.push(randomValue(rand));
      if (base) {
        for (const field of Object.keys(base)) {
          for (let i = 0; i < 5; i++) inputs.push({ ...base, [field]: randomValue(rand) });
          inputs.push({ ...base, [field]: undefined });
        }
        for (let i = 0; i < 4; i++) {
          const mutated: Record<string, unknown> = { ...base };
          for (const field of Object.keys(base)) if (rand() < 0.5) mutated[field] = randomValue(rand);
          inputs.push(mutated);
        }
      }
      for (const input of inputs) await attempt(path, input);
    }
    // Filter values that reach the SQL layer with every type and operator.
    for (const op of ["eq", "contains", "gt", "lt"]) {
      for (const value of [...NASTY_STRINGS, ...NASTY_NUMBERS, true, false, null]) {
        for (const field of ["text", "score", "topic", "missing", "a-b", "_"]) await attempt("rows.list", { relation: "questions", filter: [{ field, op, value }] });
      }
    }
    expect(broken).toEqual([]);
    expect(calls).toBeGreaterThan(1_500);
  });
});

function describeInput(input: unknown): string {
  try {
    return JSON.stringify(input, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))?.slice(0, 200) ?? String(input);
  } catch {
    return String(input);
  }
}
