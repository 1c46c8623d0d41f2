import { describe, expect, it } from "vitest";
import { z } from "zod";
import { correctionJsonSchema } from "@motion/engine";
import { chatbotCorrection } from "@motion/example-chatbot";
import { buildCorrection, correctionFields, correctionIssues, initialValues } from "./correction-fields";

describe("correction form from a published correction schema", () => {
  it("renders the chatbot's schema as an answer text and a source picked from the documents", () => {
    const fields = correctionFields(correctionJsonSchema(chatbotCorrection))!;
    expect(fields).toEqual([
      { name: "answer", title: "Answer", description: "The answer the chatbot should have given.", kind: "text", multiline: true },
      { name: "source", title: "Source", description: "The document the answer should cite.", kind: "options", optionsFrom: { relation: "documents", field: "url", label: "title" } },
    ]);
    // The answer starts as the output's answer; the source starts empty (the cited one is what is being corrected).
    const output = { answer: "From fast-glob.", sources: [{ url: "npm:fast-glob" }] };
    const initial = initialValues(fields, output);
    expect(initial).toEqual({ answer: "From fast-glob.", source: "" });
    // Only what the operator changed is sent.
    expect(buildCorrection(fields, initial, initial)).toBeUndefined();
    expect(buildCorrection(fields, { ...initial, source: "npm:micromatch" }, initial)).toEqual({ source: "npm:micromatch" });
    expect(buildCorrection(fields, { answer: "Use makeRe.", source: "npm:micromatch" }, initial)).toEqual({ answer: "Use makeRe.", source: "npm:micromatch" });
    expect(buildCorrection(fields, { answer: "  ", source: "" }, initial)).toBeUndefined();
  });

  it("types numbers, booleans, enums and JSON; no form for schemas that are not objects", () => {
    const schema = correctionJsonSchema(
      z.object({ score: z.number().int(), ok: z.boolean(), tone: z.enum(["calm", "loud"]), short: z.string().max(80), extra: z.object({ a: z.number() }), maybe: z.string().nullable() }),
    );
    const fields = correctionFields(schema)!;
    expect(fields.map((f) => [f.name, f.kind])).toEqual([["score", "number"], ["ok", "boolean"], ["tone", "enum"], ["short", "text"], ["extra", "json"], ["maybe", "text"]]);
    expect(fields.find((f) => f.name === "short")).toMatchObject({ multiline: false });
    const initial = initialValues(fields, { score: 3, ok: true, tone: "calm" });
    expect(initial).toMatchObject({ score: "3", ok: "true", tone: "calm", extra: "" });
    expect(buildCorrection(fields, { ...initial, score: "4", ok: "false", extra: '{"a":1}' }, initial)).toEqual({ score: 4, ok: false, extra: { a: 1 } });
    // Unparsable input is sent as typed, so the API names its path.
    expect(buildCorrection(fields, { ...initial, score: "four", extra: "{" }, initial)).toEqual({ score: "four", extra: "{" });
    expect(correctionFields(correctionJsonSchema(z.string()))).toBeNull();
    expect(correctionFields(null)).toBeNull();
  });

  it("puts the API's issues under the field their path names", () => {
    expect(
      correctionIssues([
        { path: ["correction", "source"], message: 'no documents row has url "x"' },
        { path: ["correction"], message: "a correction needs an answer, a source or both" },
        { path: ["note"], message: "too long" },
      ]),
    ).toEqual({ source: 'no documents row has url "x"', "": "a correction needs an answer, a source or both" });
  });
});
