import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all } from "@motion/db";
import { defineApp, Motion, NotFoundError, pickVariant, trigger, ValidationError } from "../../src/index.ts";
import { clicks, searches, variantApp } from "../fixtures/variant-app.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

const issueOf = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).issues[0]!;
};

describe("pickVariant", () => {
  it("splits 10k keys within ±3% of the weights, the default taking the rest, stably", () => {
    const variants = [{ name: "wide", weight: 0.3 }, { name: "fancy", weight: 0.2 }];
    const counts: Record<string, number> = { wide: 0, fancy: 0, default: 0 };
    for (let i = 0; i < 10_000; i++) counts[pickVariant("searcher", `user-${i}`, variants)?.name ?? "default"]!++;
    expect(Math.abs(counts.wide! / 10_000 - 0.3)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(counts.fancy! / 10_000 - 0.2)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(counts.default! / 10_000 - 0.5)).toBeLessThanOrEqual(0.03);
    for (let i = 0; i < 100; i++) expect(pickVariant("searcher", `user-${i}`, variants)).toBe(pickVariant("searcher", `user-${i}`, [...variants]));
    // Appending a variant keeps the keys of the ones before where they were.
    const more = [...variants, { name: "late", weight: 0.1 }];
    for (let i = 0; i < 1000; i++) {
      const before = pickVariant("searcher", `user-${i}`, variants)?.name;
      if (before) expect(pickVariant("searcher", `user-${i}`, more)?.name).toBe(before);
    }
  });
});

describe.each(factories)("params variants on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });
  async function open() {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: variantApp, databaseUrl: db.url, fitIn: "inline", syncIntervalMs: 0 });
    opened.push(motion);
    return motion;
  }
  const answer = (r: { inferences: { trigger: string; paramsHash: string; output: unknown; id: string; stateVersion: number }[] }) => r.inferences.find((x) => x.trigger === "searcher")!;

  it("routes keys by weight (stable per key), records each variant's params hash, shares the state chain", async () => {
    const motion = await open();
    const view = await motion.variants("searcher");
    expect(view.source).toBe("declared");
    expect(view.default).toMatchObject({ name: "default", params: { k: 5, style: "plain" }, weight: 0.5 });
    expect(view.variants.map((v) => [v.name, v.params, v.weight])).toEqual([["wide", { k: 20, style: "plain" }, 0.3], ["fancy", { k: 5, style: "fancy" }, 0.2]]);
    const hashes = new Map<string, string>([[view.default.hash, "default"], ...view.variants.map((v) => [v.hash!, v.name] as [string, string])]);
    expect(hashes.size).toBe(3);

    const served = new Map<string, string>();
    for (let chunk = 0; chunk < 5; chunk++) {
      const results = await motion.addMany("searches", Array.from({ length: 2000 }, (_, i) => ({ user: `user-${chunk * 2000 + i}`, text: "q" })));
      for (const r of results) {
        const a = answer(r);
        const name = hashes.get(a.paramsHash)!;
        served.set(r.key!, name);
        const expected = name === "wide" ? { k: 20, style: "plain" } : name === "fancy" ? { k: 5, style: "fancy" } : { k: 5, style: "plain" };
        expect(a.output).toMatchObject(expected);
      }
    }
    const share = (n: string) => [...served.values()].filter((v) => v === n).length / 10_000;
    expect(Math.abs(share("wide") - 0.3)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(share("fancy") - 0.2)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(share("default") - 0.5)).toBeLessThanOrEqual(0.03);
    const again = await motion.addMany("searches", ["user-1", "user-2", "user-3", "user-4", "user-5"].map((user) => ({ user, text: "again" })));
    expect(again.map((r) => hashes.get(answer(r).paramsHash))).toEqual(["user-1", "user-2", "user-3", "user-4", "user-5"].map((k) => served.get(k)));

    // The inference rows carry the variant's hash.
    const stored = await motion.db.read(() => all<{ paramsHash: string; n: unknown }>(`SELECT "paramsHash", COUNT(*) AS "n" FROM "Inference" WHERE "trigger" = 'searcher' GROUP BY "paramsHash"`));
    const storedBy = Object.fromEntries(stored.map((s) => [hashes.get(s.paramsHash), Number(s.n)]));
    const servedBy = (n: string) => [...served.values()].filter((v) => v === n).length + again.filter((r) => hashes.get(answer(r).paramsHash) === n).length;
    expect(storedBy).toEqual({ default: servedBy("default"), wide: servedBy("wide"), fancy: servedBy("fancy") });

    // One state chain, fitted with the default params whatever variant answers.
    await motion.add("clicks", { page: "p" });
    await motion.flush();
    expect(motion.activeVersion("searcher")).toBe(1);
    const wideUser = [...served].find(([, v]) => v === "wide")![0];
    const after = answer(await motion.add("searches", { user: wideUser, text: "x" }));
    expect(after).toMatchObject({ stateVersion: 1, output: { k: 20, fittedK: 5 } });
  });

  it("a caller names a variant; unknown ones are refused at ['variants', trigger] with nothing written", async () => {
    const motion = await open();
    const view = await motion.variants("searcher");
    const rows = Array.from({ length: 20 }, (_, i) => ({ user: `n${i}`, text: "q" }));
    const named = await motion.addMany("searches", rows, { variants: { searcher: "fancy" } });
    expect(named.every((r) => answer(r).paramsHash === view.variants[1]!.hash && (answer(r).output as { style: string }).style === "fancy")).toBe(true);
    const def = await motion.addMany("searches", rows, { variants: { searcher: "default" } });
    expect(def.every((r) => answer(r).paramsHash === view.default.hash)).toBe(true);
    expect(await issueOf(motion.add("searches", { user: "x", text: "q" }, { variants: { searcher: "nope" } }))).toMatchObject({ path: ["variants", "searcher"], code: "unknown_variant" });
    expect(await issueOf(motion.add("searches", { user: "x", text: "q" }, { variants: { other: "wide" } }))).toMatchObject({ path: ["variants", "other"] });
    const n = await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "relation" = 'searches'`));
    expect(Number(n[0]!.n)).toBe(40);
  });

  it("outcomes per (version, params hash) keep variants apart", async () => {
    const motion = await open();
    const view = await motion.variants("searcher");
    const wide = await motion.addMany("searches", Array.from({ length: 6 }, (_, i) => ({ user: `w${i}`, text: "q" })), { variants: { searcher: "wide" } });
    const plain = await motion.addMany("searches", Array.from({ length: 4 }, (_, i) => ({ user: `p${i}`, text: "q" })), { variants: { searcher: "default" } });
    for (const [i, r] of wide.entries()) await motion.feedback(answer(r).id, { label: i < 5 ? "good" : "bad", actor: "t" });
    for (const [i, r] of plain.entries()) await motion.feedback(answer(r).id, { label: i < 1 ? "good" : "bad", actor: "t" });
    const { versions } = await motion.outcomes("searcher", { versions: [0] });
    const by = new Map(versions[0]!.byParams.map((p) => [p.paramsHash, p]));
    expect(by.get(view.variants[0]!.hash!)).toMatchObject({ inferences: 6, feedback: { good: 5, bad: 1 } });
    expect(by.get(view.default.hash)).toMatchObject({ inferences: 4, feedback: { good: 1, bad: 3 } });
  });

  it("variants set at run time: validated against the params schema with paths, audited, routed", async () => {
    const motion = await open();
    expect(await issueOf(motion.addVariant("searcher", { name: "wide", params: { k: 50 } }, { actor: "alice" }))).toMatchObject({ path: ["name"], code: "variant_exists" });
    expect(await issueOf(motion.addVariant("searcher", { name: "default", params: { k: 50 } }, { actor: "alice" }))).toMatchObject({ path: ["name"] });
    expect(await issueOf(motion.addVariant("searcher", { name: "huge", params: { k: 500 } }, { actor: "alice" }))).toMatchObject({ path: ["params", "k"] });
    expect(await issueOf(motion.addVariant("searcher", { name: "odd", params: { style: "weird" } }, { actor: "alice" }))).toMatchObject({ path: ["params", "style"] });
    expect(await issueOf(motion.addVariant("searcher", { name: "same", params: { k: 5 } }, { actor: "alice" }))).toMatchObject({ path: ["params"], code: "variant_same_params" });
    expect(await issueOf(motion.addVariant("searcher", { name: "heavy", params: { k: 7 }, weight: 1.5 }, { actor: "alice" }))).toMatchObject({ path: ["weight"] });
    expect(await issueOf(motion.addVariant("searcher", { name: "heavy", params: { k: 7 }, weight: 0.6 }, { actor: "alice" }))).toMatchObject({ path: ["weight"], code: "weights_above_one" });
    expect(await issueOf(motion.setVariantWeights("searcher", { nope: 0.1 }, { actor: "alice" }))).toMatchObject({ path: ["weights", "nope"], code: "unknown_variant" });
    expect(await issueOf(motion.setVariantWeights("searcher", { wide: -1 }, { actor: "alice" }))).toMatchObject({ path: ["weights", "wide"] });
    expect(await issueOf(motion.setVariantWeights("searcher", { wide: 0.9 }, { actor: "alice" }))).toMatchObject({ path: ["weights"], code: "weights_above_one" });
    await expect(motion.removeVariant("searcher", "nope", { actor: "alice" })).rejects.toBeInstanceOf(NotFoundError);
    expect((await motion.variants("searcher")).source).toBe("declared");

    const added = await motion.addVariant("searcher", { name: "narrow", params: { k: 2 }, weight: 0.1 }, { actor: "alice" });
    expect(added.source).toBe("runtime");
    expect(added.variants.map((v) => [v.name, v.weight])).toEqual([["wide", 0.3], ["fancy", 0.2], ["narrow", 0.1]]);
    const everything = await motion.setVariantWeights("searcher", { wide: 0, fancy: 0, narrow: 1 }, { actor: "alice" });
    expect(everything.default.weight).toBe(0);
    const r = answer(await motion.add("searches", { user: "anyone", text: "q" }));
    expect(r.paramsHash).toBe(everything.variants[2]!.hash);
    expect(r.output).toMatchObject({ k: 2 });
    const removed = await motion.removeVariant("searcher", "narrow", { actor: "bob" });
    expect(removed.variants.map((v) => v.name)).toEqual(["wide", "fancy"]);
    expect(answer(await motion.add("searches", { user: "anyone", text: "q" })).paramsHash).toBe(removed.default.hash);
    // Experiment settings changes keep the runtime variants.
    await motion.setExperiment("searcher", { shadow: { share: 0 } }, { actor: "alice" });
    expect((await motion.variants("searcher")).variants.map((v) => v.name)).toEqual(["wide", "fancy"]);
    const audit = await motion.auditEvents({ limit: 50 });
    expect(audit.items.filter((a) => a.target === "searcher" && a.action.startsWith("trigger.variant")).map((a) => [a.action, a.actor]).reverse()).toEqual([
      ["trigger.variant.add", "alice"], ["trigger.variant.weights", "alice"], ["trigger.variant.remove", "bob"],
    ]);
    // Variants follow runtime params changes of the default (their hash moves with them).
    const before = (await motion.variants("searcher")).variants[0]!.hash;
    await motion.setParams("searcher", { style: "fancy" }, { actor: "alice" });
    const now = await motion.variants("searcher");
    expect(now.variants[0]).toMatchObject({ params: { k: 20, style: "fancy" } });
    expect(now.variants[0]!.hash).not.toBe(before);
  });

  it("another process follows runtime variants (notification or periodic check)", async () => {
    const motion = await open();
    const other = await Motion.open({ app: variantApp, database: motion.db, runFits: false, syncIntervalMs: 100 });
    opened.unshift(other);
    const hashFor = async () => answer(await other.add("searches", { user: "same-user", text: "x" })).paramsHash;
    const added = await motion.addVariant("searcher", { name: "all", params: { k: 9 }, weight: 0 }, { actor: "alice" });
    await motion.setVariantWeights("searcher", { wide: 0, fancy: 0, all: 1 }, { actor: "alice" });
    await expect.poll(hashFor, { timeout: 5000, interval: 100 }).toBe(added.variants[2]!.hash);
    await motion.removeVariant("searcher", "all", { actor: "alice" });
    await expect.poll(hashFor, { timeout: 5000, interval: 100 }).not.toBe(added.variants[2]!.hash);
  });

  it("declared variants the params schema rejects fail the start with their path", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const bad = trigger("bad", {
      params: z.object({ k: z.number().int().max(10).default(5) }),
      variants: { big: { params: { k: 50 } } },
      routes: [{ relation: searches, infer: () => 1 }, { relation: clicks, fit: () => ({}) }],
    });
    const app = defineApp({ name: "bad-variants", relations: [searches, clicks], triggers: [bad] });
    const e = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline", syncIntervalMs: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues[0]!.path).toEqual(["variants", "big", "params", "k"]);
    expect(() => trigger("t", { variants: { a: { weight: 0.7 }, b: { weight: 0.7 } }, routes: [{ relation: searches, infer: () => 1 }] })).toThrow(/above 1/);
  });
});
