// A trigger's correction form, read from the JSON Schema the API publishes
// (`triggers.get → correctionSchema`): one field per top-level property. A string picked from a
// relation (`motion.optionsFrom`) becomes a searchable select; other strings a text area; enums
// a select; numbers and booleans their inputs; anything else JSON text. Only the fields the
// operator changed are sent, so an unchanged pre-filled answer never travels as a correction.

export interface OptionsFromHint {
  relation: string;
  field: string;
  label?: string;
}

export type CorrectionField =
  | { name: string; title: string; description: string | null; kind: "text"; multiline: boolean }
  | { name: string; title: string; description: string | null; kind: "options"; optionsFrom: OptionsFromHint }
  | { name: string; title: string; description: string | null; kind: "enum"; values: string[] }
  | { name: string; title: string; description: string | null; kind: "number"; integer: boolean }
  | { name: string; title: string; description: string | null; kind: "boolean" }
  | { name: string; title: string; description: string | null; kind: "json" };

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** `sourceUrl` → "Source url". */
function titleOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The property's own schema when it is `X` or `X | null` (anyOf with null, or a type list). */
function unwrapNullable(node: Node): Node {
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t) => t !== "null");
    if (types.length === 1) return { ...node, type: types[0] };
  }
  const options = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(options)) {
    const rest = options.filter((o) => !(isNode(o) && o.type === "null"));
    if (rest.length === 1 && isNode(rest[0])) return { ...rest[0], description: node.description ?? rest[0].description, motion: node.motion ?? rest[0].motion };
  }
  return node;
}

/** The form's fields, or null when the schema is not an object with properties (free JSON then). */
export function correctionFields(schema: unknown): CorrectionField[] | null {
  if (!isNode(schema) || schema.type !== "object" || !isNode(schema.properties)) return null;
  const fields: CorrectionField[] = [];
  for (const [name, raw] of Object.entries(schema.properties)) {
    if (!isNode(raw)) continue;
    const node = unwrapNullable(raw);
    const base = { name, title: typeof node.title === "string" ? node.title : titleOf(name), description: typeof node.description === "string" ? node.description : null };
    const hint = isNode(node.motion) && isNode(node.motion.optionsFrom) ? (node.motion.optionsFrom as unknown as OptionsFromHint) : null;
    if (hint && node.type === "string") fields.push({ ...base, kind: "options", optionsFrom: hint });
    else if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === "string")) fields.push({ ...base, kind: "enum", values: node.enum as string[] });
    else if (node.type === "string") fields.push({ ...base, kind: "text", multiline: !(typeof node.maxLength === "number" && node.maxLength <= 200) });
    else if (node.type === "number" || node.type === "integer") fields.push({ ...base, kind: "number", integer: node.type === "integer" });
    else if (node.type === "boolean") fields.push({ ...base, kind: "boolean" });
    else fields.push({ ...base, kind: "json" });
  }
  return fields.length ? fields : null;
}

/** What a field starts with: the output's value of the same name when it has the field's type (the answer to edit), else empty. */
export function initialValues(fields: CorrectionField[], output: unknown): Record<string, string> {
  const o = isNode(output) ? output : {};
  const values: Record<string, string> = {};
  for (const f of fields) {
    const v = o[f.name];
    // A picked value starts empty: the output's value is the one being corrected.
    if (f.kind === "text" && typeof v === "string") values[f.name] = v;
    else if (f.kind === "number" && typeof v === "number") values[f.name] = String(v);
    else if (f.kind === "boolean" && typeof v === "boolean") values[f.name] = String(v);
    else if (f.kind === "enum" && typeof v === "string" && f.values.includes(v)) values[f.name] = v;
    else values[f.name] = "";
  }
  return values;
}

/**
 * The correction to send: the fields the operator changed from their initial value (empty
 * fields left out), typed as the schema wants; undefined when nothing changed. A number or JSON
 * field that does not parse is sent as typed so the API names its path.
 */
export function buildCorrection(fields: CorrectionField[], values: Record<string, string>, initial: Record<string, string>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const text = values[f.name] ?? "";
    if (text === (initial[f.name] ?? "") || text.trim() === "") continue;
    if (f.kind === "number") out[f.name] = Number.isFinite(Number(text)) ? Number(text) : text;
    else if (f.kind === "boolean") out[f.name] = text === "true";
    else if (f.kind === "json") {
      try {
        out[f.name] = JSON.parse(text);
      } catch {
        out[f.name] = text;
      }
    } else out[f.name] = text;
  }
  return Object.keys(out).length ? out : undefined;
}

export interface IssueLike {
  path: (string | number)[];
  message: string;
}

/** API issues under `correction` by field name; issues about the correction as a whole under "". */
export function correctionIssues(issues: readonly IssueLike[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues ?? []) {
    if (issue.path[0] !== "correction") continue;
    const key = issue.path.length > 1 ? String(issue.path[1]) : "";
    out[key] ??= issue.message;
  }
  return out;
}
