import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all } from "@motion/db";
import { correctionJsonSchema, defineApp, Motion, optionsFrom, optionsFromFields, relation, trigger, ValidationError } from "../src/index.ts";
import { cited, correctedApp, pages } from "./fixtures/corrected-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

describe("correction schemas", () => {
  it("publish JSON Schema with the optionsFrom hint of a field picked from a relation", () => {
    const schema = correctionJsonSchema(cited.correction!);
    expect(schema).toMatchObject({
      type: "object",
      properties: {
        answer: { type: "string", minLength: 1 },
        source: { type: "string", motion: { optionsFrom: { relation: "pages", field: "url" } } },
      },
    });
    expect(optionsFromFields(schema)).toEqual([{ path: ["source"], optionsFrom: { relation: "pages", field: "url", label: "title" } }]);
  });

  it("reject hints to a missing field or to a relation outside the app", () => {
    expect(() => optionsFrom(pages, "nope")).toThrow(/pages has no field nope/);
    expect(() => optionsFrom(pages, "url", { label: "heading" })).toThrow(/pages has no field heading/);
    const elsewhere = relation("elsewhere", { schema: z.object({ id: z.string() }) });
    const t = trigger("t", {
      correction: z.object({ id: z.string().meta(optionsFrom(elsewhere, "id")) }),
      routes: [{ relation: pages, infer: () => null }],
    });
    expect(() => defineApp({ name: "bad", relations: [pages], triggers: [t] })).toThrow(/correction field id takes options from relation elsewhere/);
    expect(trigger("plain", { routes: [{ relation: pages, infer: () => null }] }).correction).toBeNull();
  });
});

describe.each(factories)("Motion.feedback with a correction schema on %s", (_name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;

  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  it("rejects a bad correction with its zod path and writes nothing; stores the parsed value of a good one", async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app: correctedApp, databaseUrl: db.url });
    const asked = await motion.add("asks", { text: "where?" });
    const id = asked.inferences[0]!.id;

    const wrongType = await motion.feedback(id, { label: "bad", actor: "op", correction: { source: 42 } }).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(ValidationError);
    expect((wrongType as ValidationError).issues[0]).toMatchObject({ path: ["correction", "source"], code: "invalid_type" });
    expect((wrongType as ValidationError).message).toContain("at correction.source");
    const empty = await motion.feedback(id, { label: "bad", actor: "op", correction: {} }).catch((e: unknown) => e);
    expect((empty as ValidationError).issues[0]).toMatchObject({ path: ["correction"], message: "give an answer, a source or both" });
    const text = await motion.feedback(id, { label: "bad", actor: "op", correction: "just text" }).catch((e: unknown) => e);
    expect(text).toBeInstanceOf(ValidationError);
    const written = async () => ({
      feedback: await motion.db.read(() => all(`SELECT "id" FROM "Feedback"`)),
      rows: await motion.db.read(() => all(`SELECT "id" FROM "Row" WHERE "relation" = 'feedback'`)),
    });
    expect(await written()).toEqual({ feedback: [], rows: [] });

    // A value picked from a relation must be one its rows have.
    const unknown = await motion.feedback(id, { label: "bad", actor: "op", correction: { source: "b" } }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as ValidationError).issues[0]).toMatchObject({ path: ["correction", "source"], message: `no pages row has url "b"` });
    expect(await written()).toEqual({ feedback: [], rows: [] });
    await motion.addMany("pages", [
      { url: "a", title: "Alpha guide", text: "…" },
      { url: "b", title: "Old beta", text: "…" },
      { url: "b", title: "Beta guide", text: "…" }, // a newer version of b: its title labels b
      { url: "c", text: "no title" },
    ]);

    // A label without a correction needs no schema check; a valid correction is stored parsed
    // (trimmed, unknown keys such as the original output's `sources` dropped).
    await motion.feedback(id, { label: "good", actor: "op" });
    await motion.feedback(id, { label: "bad", actor: "op", correction: { answer: "  here  ", source: "b", sources: ["a"] } });
    await motion.flush();
    const stored = await motion.db.read(() => all<{ correction: unknown }>(`SELECT "correction" FROM "Feedback" ORDER BY "id"`));
    expect(stored.map((s) => (typeof s.correction === "string" ? JSON.parse(s.correction) : s.correction))).toEqual([null, { answer: "here", source: "b" }]);
    const state = (motion as unknown as { active: Map<string, { view: Record<string, unknown> }> }).active.get("cited")!.view;
    expect(state.corrections).toEqual([null, { answer: "here", source: "b" }]);
  });

  it("lists a field's options: distinct values, newest label, searched by value or label", async () => {
    const all = await motion.correctionOptions("cited", ["source"]);
    expect(all).toEqual({
      relation: "pages",
      field: "url",
      items: [
        { value: "a", label: "Alpha guide" },
        { value: "b", label: "Beta guide" },
        { value: "c", label: null },
      ],
    });
    expect((await motion.correctionOptions("cited", ["source"], { search: "BETA" })).items).toEqual([{ value: "b", label: "Beta guide" }]);
    expect((await motion.correctionOptions("cited", ["source"], { search: "c" })).items.map((i) => i.value)).toEqual(["c"]);
    expect((await motion.correctionOptions("cited", ["source"], { limit: 1 })).items).toHaveLength(1);
    await expect(motion.correctionOptions("cited", ["answer"])).rejects.toThrow(/no correction field answer with options/);
    expect(motion.correctionSchemaOf("cited")).toMatchObject({ properties: { source: { motion: { optionsFrom: { relation: "pages", field: "url", label: "title" } } } } });
  });
});
