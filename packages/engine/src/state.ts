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

const MUTATORS = new Set(["set", "fill", "copyWithin", "reverse", "sort", "write", "swap16", "swap32", "swap64"]);
const guards = new WeakMap<object, object>();

/**
 * A typed array cannot be frozen, so infer gets a proxy that throws on any write and on
 * mutating methods; views it hands out (subarray) are guarded too, and `.buffer` is a copy.
 */
export function readonlyBinary<T extends BinaryValue>(target: T): T {
  const cached = guards.get(target);
  if (cached) return cached as T;
  const deny = (): never => {
    throw new TypeError("Cannot modify state in infer: state versions are immutable (return a patch from fit)");
  };
  const proxy = new Proxy(target, {
    get(t, prop) {
      if (typeof prop === "string" && MUTATORS.has(prop)) return deny;
      if (prop === "buffer") return t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength);
      const value = Reflect.get(t, prop, t);
      if (typeof value !== "function") return value;
      if (prop === "subarray") return (...args: [number?, number?]) => readonlyBinary((t as Float32Array).subarray(...args) as T);
      return value.bind(t);
    },
    set: deny,
    defineProperty: deny,
    deleteProperty: deny,
    setPrototypeOf: deny,
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
