// Correction schemas: what a "corrected output" for a trigger's inferences must look like.
// A trigger declares it (zod) with `correction:`; `Motion.feedback` validates every correction
// against it, and the schema is published as JSON Schema so a console can render a form. A
// field whose value must be picked from a relation (a document url, a product id) carries a
// hint, `optionsFrom`, in its zod metadata; the hint survives into the JSON Schema.

import { z } from "zod";
import { ValidationError } from "./errors.ts";
import type { Relation } from "./relation.ts";

/** Where a field's allowed values come from: the `field` of rows of `relation`. */
export interface OptionsFrom {
  relation: string;
  field: string;
  /** A field of the same rows that reads better than the value (a title for a url), shown next to it. */
  label?: string;
}

/** Zod metadata Motion reads (`schema.meta({ motion: … })`), kept under one key. A type alias, so it fits zod's metadata type. */
export type MotionFieldMeta = {
  motion: { optionsFrom: OptionsFrom };
};

/**
 * Metadata for a field whose value is picked from a relation:
 * `source: z.string().meta(optionsFrom(documents, "url", { label: "title" }))`. The field (and
 * the label) must be top-level fields of the relation's schema (checked here when the schema
 * is an object). `Motion.feedback` refuses a value no row has; `Motion.correctionOptions`
 * lists and searches the values.
 */
export function optionsFrom(relation: Relation | string, field: string, options: { label?: string } = {}): MotionFieldMeta {
  const name = typeof relation === "string" ? relation : relation.name;
  for (const f of [field, ...(options.label ? [options.label] : [])]) {
    if (typeof relation !== "string" && relation.schema instanceof z.ZodObject && !(f in relation.schema.shape)) {
      throw new TypeError(`optionsFrom: relation ${name} has no field ${f}`);
    }
  }
  return { motion: { optionsFrom: { relation: name, field, ...(options.label ? { label: options.label } : {}) } } };
}

export type JsonSchema = Record<string, unknown>;

/** The correction schema as JSON Schema (draft 2020-12, input side), hints included. */
export function correctionJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** Every `optionsFrom` hint in a JSON Schema, with the JSON path of the field that has it. */
export function optionsFromFields(schema: JsonSchema): { path: string[]; optionsFrom: OptionsFrom }[] {
  const found: { path: string[]; optionsFrom: OptionsFrom }[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    const hint = (n.motion as { optionsFrom?: OptionsFrom } | undefined)?.optionsFrom;
    if (hint) found.push({ path, optionsFrom: hint });
    for (const [key, child] of Object.entries((n.properties as Record<string, unknown>) ?? {})) walk(child, [...path, key]);
    if (n.items) walk(n.items, [...path, "*"]);
    for (const key of ["anyOf", "oneOf", "allOf"]) for (const child of (n[key] as unknown[]) ?? []) walk(child, path);
  };
  walk(schema, []);
  return found;
}

/**
 * A correction checked against the trigger's schema: the parsed value (defaults applied,
 * unknown keys dropped unless the schema is strict), or a ValidationError naming the zod path
 * under `correction`.
 */
export function validateCorrection(schema: z.ZodType | null, correction: unknown): unknown {
  if (!schema || correction === undefined) return correction;
  const parsed = schema.safeParse(correction);
  if (parsed.success) return parsed.data;
  const issues = ValidationError.fromZod("feedback", 0, parsed.error).map((i) => ({ ...i, path: ["correction", ...i.path] }));
  throw new ValidationError("feedback", issues);
}
