// How a procedure's zod input travels over REST. Query strings carry only text, so each field
// is read by the kind of its schema: numbers, booleans (`true`/`false`, `1`/`0`, any case — never "any
// non-empty string is true") and dates are converted, arrays come from repeated parameters,
// and structured fields (objects, arrays of objects) are JSON text.
import { z } from "zod";

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; getter?: () => z.ZodType };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional / nullable / default / readonly wrappers (and a pipe's input). */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "prefault" || def.type === "readonly" || def.type === "catch") && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else if (def.type === "lazy" && def.getter) current = def.getter();
    else break;
  }
  return current;
}

export type FieldKind = "string" | "number" | "boolean" | "date" | "list" | "json";
const SCALARS = new Set(["string", "enum", "literal", "template_literal"]);

/** How one input field is read from a query parameter. */
export function fieldKind(schema: z.ZodType): FieldKind {
  const def = defOf(unwrap(schema));
  if (SCALARS.has(def.type)) return "string";
  if (def.type === "number" || def.type === "int" || def.type === "bigint") return "number";
  if (def.type === "boolean") return "boolean";
  if (def.type === "date") return "date";
  if (def.type === "array" && def.element) {
    const element = fieldKind(def.element);
    return element === "json" || element === "list" ? "json" : "list";
  }
  return "json";
}

/** The object schema of a procedure's input (under `.default(...)` etc.), or null for no input. */
export function inputObject(inputs: readonly unknown[]): z.ZodObject | null {
  if (inputs.length === 0) return null;
  const schema = unwrap(inputs[0] as z.ZodType);
  return defOf(schema).type === "object" ? (schema as z.ZodObject) : null;
}

function scalar(kind: FieldKind, text: string): unknown {
  if (kind === "number") return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
  if (kind === "boolean") {
    // Python's urlencode writes True/False.
    const t = text.toLowerCase();
    return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : text;
  }
  if (kind === "date") {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) || !calendarDateExists(text) ? text : date;
  }
  return text;
}

/** `Date` rolls 2026-02-30 over to March 2: the calendar date written in the text must exist. */
function calendarDateExists(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return true;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export class WireError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** The issue's own message and code (the error's message names the field too). */
    readonly issue: { message: string; code: string } = { message: "not valid JSON", code: "invalid_json" },
  ) {
    super(message);
    this.name = "WireError";
  }
}

/** One field from its query values; unconvertible text is left for the schema to reject with its path. */
export function readQueryField(schema: z.ZodType, name: string, values: string[]): unknown {
  const kind = fieldKind(schema);
  if (kind === "list") {
    const element = defOf(unwrap(schema)).element!;
    return values.map((v) => scalar(fieldKind(element), v));
  }
  const text = values[values.length - 1]!;
  // A nullable field (a cursor) may be sent empty or as `null`: the first page.
  if ((text === "" || text === "null") && schema.safeParse(null).success) return null;
  if (kind === "json") {
    try {
      return JSON.parse(text);
    } catch {
      throw new WireError(name, `${name}: not valid JSON`);
    }
  }
  const value = scalar(kind, text);
  // Over the wire a date is text: "expected date, received string" would say nothing useful.
  if (kind === "date" && typeof value === "string") throw notADate(name, text);
  return value;
}

const notADate = (name: string, text: string) =>
  new WireError(name, `${name}: ${JSON.stringify(text.slice(0, 40))} is not a date: send ISO 8601, e.g. 2026-12-04T07:00:00Z`, { message: "not an ISO 8601 date (e.g. 2026-12-04T07:00:00Z)", code: "invalid_date" });

/** Dates in a JSON body arrive as ISO strings: turn them into Dates where the schema wants one. */
export function reviveBodyDates(shape: Record<string, z.ZodType>, body: Record<string, unknown>): void {
  for (const [name, field] of Object.entries(shape)) {
    if (typeof body[name] === "string" && fieldKind(field) === "date") {
      body[name] = scalar("date", body[name]);
      if (typeof body[name] === "string") throw notADate(name, body[name]);
    }
  }
}

function describeJson(field: z.ZodType): string {
  try {
    const { $schema: _, ...schema } = z.toJSONSchema(unwrap(field), { io: "input", unrepresentable: "any" });
    return JSON.stringify(schema);
  } catch {
    return "the field's schema";
  }
}

/** The input as the OpenAPI document shows it for a GET: structured fields become JSON text. */
export function queryWireSchema(object: z.ZodObject): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodType>)) {
    if (fieldKind(field) !== "json") {
      shape[name] = field;
      continue;
    }
    const optional = field.safeParse(undefined).success;
    const text = z.string().meta({ description: `JSON text matching ${describeJson(field)}` });
    shape[name] = optional ? text.optional() : text;
  }
  return z.object(shape);
}
