// The wire format is superjson's (clients decode with superjson), but superjson's generic walker
// was the largest cost of a list answer (~40% of a 50-row `rows.list`: it checks every value
// against every type it knows and tracks every object's identity). Answers made of JSON values
// and Dates — nearly all of Motion's — are encoded here in one pass, to exactly what
// superjson.serialize returns (a test compares the two on generated values); anything else
// (Map, Set, BigInt, NaN, -0, class instances, shared references, …) goes to superjson itself.
import superjson from "superjson";

type Annotation = ["Date"] | ["undefined"];
interface Serialized {
  json: unknown;
  meta?: { values: Record<string, Annotation>; v: 1 };
}

const UNSUPPORTED = Symbol("unsupported");
const escapeKey = (key: string) => key.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

type Annotations = Annotation | Record<string, Annotation>;
const DATE: Annotation = ["Date"];
const UNDEFINED: Annotation = ["undefined"];
const escape = (key: string) => (key.includes(".") || key.includes("\\") ? escapeKey(key) : key);

/** One encoding pass (plain functions, no closures per value: this runs for every value of every answer). */
interface Pass {
  seen: Set<object>;
  /** The annotations of the value `walk` just returned. */
  annotations: Annotations | undefined;
}

function walk(pass: Pass, v: unknown): unknown {
  pass.annotations = undefined;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0) ? v : UNSUPPORTED;
    case "object":
      break;
    default:
      return UNSUPPORTED;
  }
  if (v === null) return null;
  if (pass.seen.has(v)) return UNSUPPORTED; // superjson records shared references
  pass.seen.add(v);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return UNSUPPORTED;
    pass.annotations = DATE;
    return v.toISOString();
  }
  // Like superjson, a container collects its children's annotations under escaped keys in a
  // plain object, so JavaScript's key order (integer-like keys first) is superjson's order too.
  let inner: Record<string, Annotation> | undefined;
  const isArray = Array.isArray(v);
  if (!isArray) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return UNSUPPORTED;
  }
  const keys = isArray ? null : Object.keys(v);
  const length = isArray ? (v as unknown[]).length : keys!.length;
  const out: unknown[] | Record<string, unknown> = isArray ? new Array(length) : {};
  for (let i = 0; i < length; i++) {
    let key: string;
    let item: unknown;
    if (isArray) {
      if (!(i in v)) return UNSUPPORTED;
      key = String(i);
      item = (v as unknown[])[i];
    } else {
      key = keys![i]!;
      if (RESERVED.has(key)) return UNSUPPORTED;
      item = (v as Record<string, unknown>)[key];
    }
    let encoded: unknown = null;
    if (item === undefined) {
      (inner ??= {})[escape(key)] = UNDEFINED;
    } else {
      encoded = walk(pass, item);
      if (encoded === UNSUPPORTED) return UNSUPPORTED;
      const a = pass.annotations as Annotations | undefined;
      if (a) {
        const k = escape(key);
        if (Array.isArray(a)) (inner ??= {})[k] = a;
        else for (const sub in a) (inner ??= {})[`${k}.${sub}`] = a[sub]!;
      }
    }
    if (isArray) (out as unknown[])[i] = encoded;
    else (out as Record<string, unknown>)[key] = encoded;
  }
  pass.annotations = inner;
  return out;
}

/** superjson's encoding of JSON values and Dates, or null for anything else. */
export function serializeCommon(value: unknown): Serialized | null {
  if (value === undefined || value instanceof Date) return null;
  const pass: Pass = { seen: new Set(), annotations: undefined };
  const json = walk(pass, value);
  if (json === UNSUPPORTED) return null;
  const values = pass.annotations as Record<string, Annotation> | undefined;
  return values ? { json, meta: { values, v: 1 } } : { json };
}

/** tRPC's transformer: superjson on the wire, the common case encoded in one pass. */
export const transformer = {
  serialize: (value: unknown) => serializeCommon(value) ?? superjson.serialize(value),
  deserialize: (value: unknown) => superjson.deserialize(value as Parameters<typeof superjson.deserialize>[0]),
};
