import { createHash } from "node:crypto";

/** JSON values a state may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** Binary values a state may hold; they round-trip bit-exactly. */
export type BinaryValue =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Buffer;
export type StateValue = JsonValue | BinaryValue;
export type State = Record<string, StateValue>;
/** A fit's result: keys to set; `undefined` removes a key. */
export type StatePatch = Record<string, StateValue | undefined>;

export type BlobKind = "json" | "buffer" | "f32" | "f64" | "i8" | "i16" | "i32" | "u8" | "u16" | "u32";

export interface EncodedValue {
  kind: BlobKind;
  checksum: string;
  bytes: Uint8Array;
}

export interface ManifestEntry {
  checksum: string;
  kind: BlobKind;
  size: number;
}
export type Manifest = Record<string, ManifestEntry>;

const CTORS = {
  f32: Float32Array,
  f64: Float64Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
} as const;

/** Binary kinds: every BlobKind but `json`. */
export type BinaryKind = Exclude<BlobKind, "json">;

/** Bytes per element of each binary kind (a `buffer` is counted in bytes). */
export const ELEMENT_BYTES: Readonly<Record<BinaryKind, number>> = Object.freeze({
  buffer: 1,
  ...(Object.fromEntries(Object.entries(CTORS).map(([kind, Ctor]) => [kind, Ctor.BYTES_PER_ELEMENT])) as Record<keyof typeof CTORS, number>),
});

/** Elements in a binary value of `kind` stored in `bytes` bytes (bytes for `buffer` and unknown kinds). */
export function elementCount(kind: string, bytes: number): number {
  return Math.floor(bytes / (ELEMENT_BYTES[kind as BinaryKind] ?? 1));
}

function binaryKind(value: unknown): BlobKind | null {
  if (Buffer.isBuffer(value)) return "buffer";
  if (value instanceof Float32Array) return "f32";
  if (value instanceof Float64Array) return "f64";
  if (value instanceof Int8Array) return "i8";
  if (value instanceof Int16Array) return "i16";
  if (value instanceof Int32Array) return "i32";
  if (value instanceof Uint8Array) return "u8";
  if (value instanceof Uint16Array) return "u16";
  if (value instanceof Uint32Array) return "u32";
  return null;
}

export function isBinary(value: unknown): value is BinaryValue {
  return binaryKind(value) !== null;
}

export function checksumOf(kind: BlobKind, bytes: Uint8Array): string {
  // The kind is part of the checksum: the same bytes as f32 and as u8 are different values.
  return createHash("sha256").update(kind).update(bytes).digest("hex");
}

export function encodeValue(key: string, value: StateValue): EncodedValue {
  const kind = binaryKind(value);
  if (kind) {
    const view = value as BinaryValue;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { kind, bytes, checksum: checksumOf(kind, bytes) };
  }
  assertJson(value, key);
  const bytes = Buffer.from(JSON.stringify(value), "utf8");
  return { kind: "json", bytes, checksum: checksumOf("json", bytes) };
}

function assertJson(value: unknown, path: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`state.${path} is ${value}: JSON state values must be finite numbers`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJson(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === "object") {
    if (isBinary(value)) throw new TypeError(`state.${path}: binary values are allowed only as top-level state keys`);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`state.${path} is a ${proto?.constructor?.name ?? "object"}: use plain JSON or a typed array`);
    }
    for (const [k, v] of Object.entries(value)) assertJson(v, `${path}.${k}`);
    return;
  }
  throw new TypeError(`state.${path} is a ${typeof value}: state values are JSON or typed arrays`);
}

/** Decodes stored bytes; verifies the checksum so a corrupted blob is never served. */
export function decodeValue(kind: BlobKind, bytes: Uint8Array, checksum: string, verify = true): StateValue {
  const actual = verify ? checksumOf(kind, bytes) : checksum;
  if (actual !== checksum) throw new Error(`State blob ${checksum.slice(0, 12)} is corrupted (checksum ${actual.slice(0, 12)})`);
  if (kind === "json") return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  // Copy into a fresh, aligned buffer: driver buffers may be pooled or unaligned.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  if (kind === "buffer") return Buffer.from(copy.buffer);
  const Ctor = CTORS[kind];
  return new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
}

export function applyPatch(base: State, patch: StatePatch): State {
  const next: State = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (isBinary(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/** Methods that only read; with a callback, the callback sees the guarded array, never the target. */
const READERS = new Set<string | symbol>([
  "at", "includes", "indexOf", "join", "lastIndexOf", "slice", "subarray", "toLocaleString", "toReversed",
  "toSorted", "toString", "with", "entries", "keys", "values", Symbol.iterator,
  // Buffer: reads only; `copy` writes into its target argument, never into this buffer.
  "compare", "copy", "equals", "toJSON", "inspect", Symbol.for("nodejs.util.inspect.custom"),
]);
const CALLBACK_READERS = new Set(["every", "filter", "find", "findIndex", "findLast", "findLastIndex", "forEach", "map", "some"]);
const REDUCERS = new Set(["reduce", "reduceRight"]);
/** Buffer's `readUInt8`, `readDoubleLE`, … and `utf8Slice`, `hexSlice`, …: all read-only. */
const BUFFER_READER = /^read[A-Z]|Slice$/;

const guards = new WeakMap<object, object>();

function deny(): never {
  throw new TypeError("Cannot modify state in infer: state versions are immutable (return a patch from fit)");
}

/**
 * A typed array cannot be frozen, so infer gets a proxy that allows only reads. Methods are
 * allow-listed (every other method throws, so Buffer's write*, utf8Write, fill, swap…, and
 * anything a later Node adds, cannot write). Views that share memory (subarray, Buffer's
 * slice) are guarded too, and `.buffer` / `.parent` are copies of the whole memory, so a
 * DataView or a new typed array over them writes into the copy.
 */
export function readonlyBinary<T extends BinaryValue>(target: T): T {
  const cached = guards.get(target);
  if (cached) return cached as T;
  const t = target as unknown as Uint8Array;
  const methods = new Map<string | symbol, unknown>();
  const guardView = (value: unknown): unknown =>
    ArrayBuffer.isView(value) && value.buffer === t.buffer && isBinary(value) ? readonlyBinary(value) : value;
  const method = (prop: string | symbol, fn: (...args: unknown[]) => unknown): unknown => {
    if (prop === "constructor") return fn;
    if (typeof prop === "string" && CALLBACK_READERS.has(prop)) {
      return (cb: (v: unknown, i: number, a: unknown) => unknown, thisArg?: unknown) =>
        guardView(fn.call(t, (v: unknown, i: number) => cb.call(thisArg, v, i, proxy)));
    }
    if (typeof prop === "string" && REDUCERS.has(prop)) {
      return (cb: (acc: unknown, v: unknown, i: number, a: unknown) => unknown, ...init: unknown[]) =>
        fn.call(t, (acc: unknown, v: unknown, i: number) => cb(acc, v, i, proxy), ...init);
    }
    if (READERS.has(prop) || (typeof prop === "string" && Buffer.isBuffer(t) && BUFFER_READER.test(prop))) {
      return (...args: unknown[]) => guardView(fn.apply(t, args));
    }
    return deny;
  };
  const proxy: T = new Proxy(target, {
    get(_, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value === "function") {
        let bound = methods.get(prop);
        if (bound === undefined) methods.set(prop, (bound = method(prop, value as (...args: unknown[]) => unknown)));
        return bound;
      }
      // `.buffer` (and Buffer's `.parent`): a copy of the whole memory, so byteOffset still fits.
      if (value instanceof ArrayBuffer) return value.slice(0);
      return value;
    },
    set: deny,
    defineProperty: deny,
    deleteProperty: deny,
    setPrototypeOf: deny,
    preventExtensions: deny,
  });
  guards.set(target, proxy);
  return proxy;
}

/** The read-only view of a state version that infer receives. */
export function freezeState(state: State, guardBinary: boolean): Readonly<State> {
  const view: State = {};
  for (const [key, value] of Object.entries(state)) {
    view[key] = isBinary(value) ? (guardBinary ? readonlyBinary(value) : value) : deepFreeze(value);
  }
  return Object.freeze(view);
}

export function manifestSize(manifest: Manifest): number {
  let size = 0;
  for (const entry of Object.values(manifest)) size += entry.size;
  return size;
}

export function manifestChecksum(manifest: Manifest): string {
  const keys = Object.keys(manifest).sort();
  const hash = createHash("sha256");
  for (const key of keys) hash.update(`${key}\0${manifest[key]!.checksum}\n`);
  return hash.digest("hex");
}
