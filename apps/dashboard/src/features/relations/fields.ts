/**
 * A relation's top-level fields and their JSON types, for the rows view's filter picker and
 * columns. The relation's JSON Schema is the source both the server prefetch and the browser
 * share (so they ask for the same filter input); fields seen in loaded rows are added, and the
 * view remembers every field it has seen, so a filter that matches nothing keeps them.
 */
export type FieldType = "string" | "number" | "boolean" | "other";
export type FieldTypes = Record<string, FieldType>;

function typeOfSchema(s: unknown): FieldType {
  if (!s || typeof s !== "object") return "other";
  const t = (s as { type?: unknown }).type;
  if (t === "number" || t === "integer") return "number";
  if (t === "string") return "string";
  if (t === "boolean") return "boolean";
  // Optional / nullable fields: one non-null member decides.
  const members = ((s as { anyOf?: unknown[] }).anyOf ?? (s as { oneOf?: unknown[] }).oneOf ?? []).map(typeOfSchema);
  const distinct = [...new Set(members.filter((m) => m !== "other"))];
  return distinct.length === 1 ? distinct[0]! : "other";
}

/** Fields declared by a JSON Schema object (`properties`), in declaration order. */
export function schemaFields(schema: unknown): FieldTypes {
  const props = schema && typeof schema === "object" ? (schema as { properties?: Record<string, unknown> }).properties : undefined;
  if (!props || typeof props !== "object") return {};
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeOfSchema(v)]));
}

function typeOfValue(v: unknown): FieldType | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return "number";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  return "other";
}

/**
 * Adds the fields of `rows` (their `data` objects) to `known`. A field keeps the type it already
 * has; a new field takes the type all its sampled values agree on, else "other".
 */
export function mergeSampledFields(known: FieldTypes, rows: readonly { data: unknown }[]): FieldTypes {
  const seen = new Map<string, Set<FieldType>>();
  for (const row of rows) {
    if (!row.data || typeof row.data !== "object" || Array.isArray(row.data)) continue;
    for (const [k, v] of Object.entries(row.data as Record<string, unknown>)) {
      const types = seen.get(k) ?? new Set<FieldType>();
      const t = typeOfValue(v);
      if (t) types.add(t);
      seen.set(k, types);
    }
  }
  let changed = false;
  const out: FieldTypes = { ...known };
  for (const [k, types] of seen) {
    if (k in out && out[k] !== "other") continue;
    const t: FieldType = types.size === 1 ? [...types][0]! : "other";
    if (out[k] !== t) {
      out[k] = t;
      changed = true;
    }
  }
  return changed ? out : known;
}

/**
 * The value a filter sends: a number for a number field when the text is a number (the API
 * compares numbers with numbers; "20" would only ever match text), else the text as typed.
 */
export function filterValue(value: string, type: FieldType | undefined): string | number {
  if (type !== "number") return value;
  const trimmed = value.trim();
  if (trimmed === "") return value;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : value;
}

/** Whether `value` can be used on a field of `type` (a number field needs a number). */
export function isValidFilterValue(value: string, type: FieldType | undefined): boolean {
  if (value === "") return false;
  return type !== "number" || typeof filterValue(value, type) === "number";
}
