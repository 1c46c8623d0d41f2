// Served state versions are immutable in memory as well as on disk: nothing infer, fit or a
// caller does to what they are handed may change what a later infer sees.
import { afterAll, describe, expect, it } from "vitest";
import { Motion, type MotionOptions } from "../src/index.ts";
import {
  BINARY_KINDS, BUFFER_WRITES, COPIES, WRITES, binaryStateApp, everyBinaryKind, fingerprint,
  inlineScribblerApp, threadScribblerApp,
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
});
