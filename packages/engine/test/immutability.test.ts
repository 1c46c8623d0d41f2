// Served state versions are immutable in memory as well as on disk: nothing infer, fit or a
// caller does to what they are handed may change what a later infer sees.
import { afterAll, describe, expect, it } from "vitest";
import { all, decodeJson } from "@motion/db";
import { Motion, type MotionOptions } from "../src/index.ts";
import {
  BINARY_KINDS, BUFFER_WRITES, COPIES, WRITES, binaryStateApp, everyBinaryKind, fingerprint,
  answererApp, inlineScribblerApp, threadScribblerApp,
} from "./fixtures/immutable-apps.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("served versions are immutable on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];

  async function open(app: MotionOptions["app"], extra: Partial<MotionOptions> = {}) {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app, databaseUrl: db.url, ...extra });
    opened.push(motion);
    return motion;
  }

  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  it("infer cannot write into any binary kind of its state, by any path (Buffer write*, views, callbacks)", async () => {
    const motion = await open(binaryStateApp);
    const original = fingerprint(everyBinaryKind());
    const tried = (await motion.add("attacks", { kind: "f32", attack: "none" })).inferences[0]!.output as { fingerprint: string };
    expect(tried.fingerprint).toBe(original);

    const rows = [
      ...BINARY_KINDS.flatMap((kind) => Object.keys(WRITES).map((attack) => ({ kind, attack }))),
      ...Object.keys(BUFFER_WRITES).map((attack) => ({ kind: "buffer", attack })),
    ];
    const results = await motion.addMany("attacks", rows);
    const outcomes = results.map((r, i) => [rows[i]!.kind, rows[i]!.attack, (r.inferences[0]!.output as { threw: string | null }).threw]);
    expect(outcomes.filter(([, , threw]) => threw !== "TypeError")).toEqual([]);

    // Copies may be written; the version must not notice.
    const copies = await motion.addMany("attacks", BINARY_KINDS.flatMap((kind) => Object.keys(COPIES).map((attack) => ({ kind, attack }))));
    for (const r of copies) expect(r.inferences[0]!.error).toBeNull();

    // Every later infer (each one ran after the attempts above) still sees the stored values.
    for (const r of [...results, ...copies]) expect((r.inferences[0]!.output as { fingerprint: string }).fingerprint).toBe(original);
    const after = (await motion.add("attacks", { kind: "buffer", attack: "none" })).inferences[0]!.output as { fingerprint: string };
    expect(after.fingerprint).toBe(original);
  });

  it.each([
    ["inline", inlineScribblerApp],
    ["threads", threadScribblerApp],
  ] as const)("a fit (%s) writing into its state's typed arrays changes no served version, before or after rollback", async (_mode, app) => {
    const motion = await open(app);
    const original = fingerprint(everyBinaryKind());
    const probe = async () => (await motion.add("probes", { n: 1 })).inferences[0]!.output as { version: number; fingerprint: string };
    expect(await probe()).toEqual({ version: 0, fingerprint: original });

    // v1 = v0 + { fits }: its arrays are v0's (same blobs), and the fit wrote into them.
    await motion.add("edits", {});
    await motion.flush();
    expect(await probe()).toEqual({ version: 1, fingerprint: original });

    // v2 keeps the fit's written f32: it differs, and v1 (and v0) must not.
    await motion.add("edits", { keep: true });
    await motion.flush();
    const v2 = await probe();
    expect(v2.version).toBe(2);
    expect(v2.fingerprint).not.toBe(original);
    expect(v2.fingerprint).toContain("f32:99,99,3.25,4 ");

    await motion.rollback("scribbler", 1, { actor: "test", pin: true });
    expect(await probe()).toEqual({ version: 1, fingerprint: original });
    await motion.rollback("scribbler", 0, { actor: "test", pin: true });
    expect(await probe()).toEqual({ version: 0, fingerprint: original });
  });

  it("a cached infer output is nobody's to change: mutating one add's output changes no later answer or stored inference", async () => {
    const motion = await open(answererApp);
    const expected = { answer: "HI", sources: [{ url: "docs/a.md", score: 0.5 }], meta: { tags: ["x"] } };
    type Answer = typeof expected;
    const first = (await motion.add("asks", { text: "hi" })).inferences[0]!;
    expect(first).toMatchObject({ cached: false, output: expected });
    // The caller owns what a miss returned: it may change it.
    const mine = first.output as Answer;
    mine.answer = "changed";
    mine.sources[0]!.url = "evil.md";
    mine.meta.tags.push("y");

    const second = (await motion.add("asks", { text: "hi" })).inferences[0]!;
    expect(second).toMatchObject({ cached: true, output: expected });
    // A hit is shared with later hits, so it is frozen all the way down.
    const shared = second.output as Answer;
    expect(() => { shared.answer = "changed"; }).toThrow(TypeError);
    expect(() => { shared.sources[0]!.score = 1; }).toThrow(TypeError);
    expect(() => shared.meta.tags.push("y")).toThrow(TypeError);

    const third = (await motion.add("asks", { text: "hi" })).inferences[0]!;
    expect(third).toMatchObject({ cached: true, output: expected });
    const stored = await motion.db.read(() => all<{ output: unknown; cached: unknown }>(`SELECT "output", "cached" FROM "Inference" ORDER BY "id"`));
    expect(stored.map((r) => decodeJson(motion.db.provider, r.output))).toEqual([expected, expected, expected]);
  });
});

describe("inference cache", () => {
  it("caches only what it can copy and freeze: typed arrays, Dates and class instances are recomputed", async () => {
    const { InferenceCache } = await import("../src/inference-cache.ts");
    const cache = new InferenceCache();
    const plain = { a: [1, { b: "c" }], d: null };
    cache.set("plain", plain);
    expect(cache.get("plain")!.output).toEqual(plain);
    expect(cache.get("plain")!.output).not.toBe(plain);
    expect(Object.isFrozen((cache.get("plain")!.output as { a: unknown[] }).a[1])).toBe(true);
    cache.set("scalar", "text");
    expect(cache.get("scalar")!.output).toBe("text");
    for (const [key, output] of [["f32", { v: new Float32Array(2) }], ["date", [new Date()]], ["map", new Map()], ["fn", { f: () => 1 }]] as const) {
      cache.set(key, output);
      expect(cache.get(key)).toBeUndefined();
    }
  });
});
