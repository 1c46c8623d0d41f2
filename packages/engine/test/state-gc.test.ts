import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all, get } from "@motion/db";
import { defineApp, Motion, relation, trigger } from "../src/index.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const ticks = relation("ticks", { schema: z.object({ n: z.number().int() }) });
// Every version shares one large buffer; each has its own counter value.
const big = Buffer.alloc(64 * 1024, 7);
const grow = trigger("grow", {
  setUp: () => ({ own: 0, shared: big }),
  routes: [{ relation: ticks, infer: ({ state }) => state.own, fit: ({ rows }) => ({ own: rows[0]!.data.n }), batchSize: 1, maxWaitMs: 0 }],
  retention: { keepVersions: 2 },
});
// Another trigger whose only version holds the same value as grow's v0: that blob is shared.
const twin = trigger("twin", { setUp: () => ({ own: 0 }), routes: [{ relation: ticks, infer: ({ state }) => state.own }] });
const app = defineApp({ name: "state-gc-app", relations: [ticks], triggers: [grow, twin] });

describe("trigger options", () => {
  it("refuses a keepVersions that is not a positive integer", () => {
    for (const keepVersions of [0, -1, 1.5]) expect(() => trigger("t", { routes: [{ relation: ticks, infer: () => 1 }], retention: { keepVersions } })).toThrow(/keepVersions must be a positive integer/);
  });
});

describe.each(factories)("state GC on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  it("collects the blobs only versions beyond keepVersions used, keeps history, shared and aliased values", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline" });
    try {
      for (let n = 1; n <= 6; n++) {
        await motion.add("ticks", { n });
        await motion.flush();
      }
      expect(motion.activeVersion("grow")).toBe(6);
      const blobsBefore = Number((await motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "StateBlob"`)))!.n);

      const [report] = await motion.retention.collectState({ actor: "ops" });
      // v0..v4 go (v5, v6 are the newest two; v6 is active and latest).
      expect(report).toMatchObject({ trigger: "grow", keepVersions: 2, versions: [0, 1, 2, 3, 4], batches: 1 });
      // Their own values 1..4 are gone; 0 is twin's too, the shared buffer is v5's and v6's too.
      expect(report!.blobs).toBe(4);
      expect(report!.bytes).toBeGreaterThan(0);
      const blobsAfter = Number((await motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "StateBlob"`)))!.n);
      expect(blobsBefore - blobsAfter).toBe(4);

      // History stays; the values of a collected version do not load, clearly.
      const versions = await motion.db.read(() => all<{ version: unknown; collectedAt: unknown }>(`SELECT "version", "collectedAt" FROM "StateVersion" WHERE "trigger" = 'grow' ORDER BY "version"`));
      expect(versions.map((v) => [Number(v.version), v.collectedAt !== null])).toEqual([[0, true], [1, true], [2, true], [3, true], [4, true], [5, false], [6, false]]);
      await expect(motion.rollback("grow", 3, { actor: "ops", reason: "try" })).rejects.toMatchObject({ name: "ConflictError", message: expect.stringContaining("garbage-collected") });
      // A kept version still loads and serves.
      await motion.rollback("grow", 5, { actor: "ops", reason: "back one" });
      expect((await motion.add("ticks", { n: 99 })).inferences.find((i) => i.trigger === "grow")!.output).toBe(5);
      expect((await motion.add("ticks", { n: 100 })).inferences.find((i) => i.trigger === "twin")!.output).toBe(0);

      // Audited; a second run has nothing left to do.
      const audit = await motion.auditEvents({ action: "state.gc", limit: 10 });
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]).toMatchObject({ actor: "ops", target: "grow", data: { versions: [0, 1, 2, 3, 4], blobs: 4 } });
      // The two adds fitted v7 and v8 (on v5): now v5 and v6 are beyond the newest two.
      await motion.flush();
      expect(motion.activeVersion("grow")).toBe(8);
      const again = await motion.retention.collectState({ actor: "ops", trigger: "grow" });
      expect(again[0]).toMatchObject({ versions: [5, 6], blobs: 2 });
      expect((await motion.retention.collectState({ actor: "ops", trigger: "grow" }))[0]).toMatchObject({ versions: [], blobs: 0, batches: 0 });
      await expect(motion.retention.collectState({ actor: "ops", trigger: "twin" })).rejects.toMatchObject({ name: "ValidationError", issues: [{ path: ["trigger"] }] });
      await expect(motion.retention.collectState({ actor: "ops", trigger: "nope" })).rejects.toMatchObject({ name: "NotFoundError" });
    } finally {
      await motion.close();
    }
  });

  it("never leaves an uncollected version without its blobs while fits commit during the GC", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline" });
    try {
      let adding = true;
      const adds = (async () => {
        for (let n = 1; n <= 40; n++) await motion.add("ticks", { n: n % 7 }); // values repeat: blobs are reused
        await motion.flush();
        adding = false;
      })();
      let runs = 0;
      while (adding) {
        await motion.retention.collectState({ actor: "ops", trigger: "grow" });
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await adds;
      await motion.retention.collectState({ actor: "ops", trigger: "grow" });
      expect(runs).toBeGreaterThan(0);
      const live = await motion.db.read(() => all<{ version: unknown; entries: unknown }>(`SELECT "version", "entries" FROM "StateVersion" WHERE "collectedAt" IS NULL`));
      const blobs = new Set((await motion.db.read(() => all<{ checksum: string }>(`SELECT "checksum" FROM "StateBlob"`))).map((b) => b.checksum));
      const missing = live.flatMap((v) => Object.values((typeof v.entries === "string" ? JSON.parse(v.entries) : v.entries) as Record<string, { checksum: string }>).filter((e) => !blobs.has(e.checksum)).map((e) => `v${String(v.version)}:${e.checksum.slice(0, 8)}`));
      expect(missing).toEqual([]);
      // Only the newest two versions of grow are left with values (plus twin's one).
      expect(live.length).toBe(3);
    } finally {
      await motion.close();
    }
  });
});
