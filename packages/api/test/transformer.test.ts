// The one-pass encoder must give byte for byte what superjson.serialize gives, on every value;
// it may only decline (and leave the value to superjson).
import { describe, expect, it } from "vitest";
import superjson from "superjson";
import { serializeCommon, transformer } from "../src/transformer.ts";

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["a", "b", "id", "createdAt", "x.y", "p\\q", "a.b.c", "0", "12", "ünï", "", " ", "data", "items", "__proto__", "constructor", "toString"];

function generate(random: () => number, depth = 0, shared: object[] = []): unknown {
  const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (depth > 4 || r < 0.35) {
    return pick<() => unknown>([
      () => "text",
      () => "é\u2028\"quote\"",
      () => Math.floor(random() * 1e6) - 5e5,
      () => random() * 100,
      () => true,
      () => null,
      () => undefined,
      () => new Date(Math.floor(random() * 4e12)),
      () => (random() < 0.1 ? NaN : random() < 0.5 ? -0 : Infinity),
      () => (random() < 0.3 ? new Date(NaN) : new Date(0)),
      () => (random() < 0.2 ? 10n : "big"),
      () => (shared.length && random() < 0.3 ? pick(shared) : { shared: true }),
    ])();
  }
  if (r < 0.6) {
    const arr = Array.from({ length: Math.floor(random() * 5) }, () => generate(random, depth + 1, shared));
    if (random() < 0.3) shared.push(arr);
    return arr;
  }
  if (r < 0.65) return random() < 0.5 ? new Map([["k", 1]]) : new Set([1, 2]);
  const obj: Record<string, unknown> = random() < 0.1 ? Object.create(null) : {};
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    const key = pick(KEYS);
    if (key === "__proto__") Object.defineProperty(obj, key, { value: generate(random, depth + 1, shared), enumerable: true, configurable: true, writable: true });
    else obj[key] = generate(random, depth + 1, shared);
  }
  if (random() < 0.3) shared.push(obj);
  return obj;
}

describe("the API's transformer", () => {
  it("encodes like superjson on 20,000 generated values, and takes its one-pass path for plain data", () => {
    const random = prng(20261204);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const value = generate(random);
      // superjson refuses some values (a `__proto__` key): then both must refuse.
      const attempt = (encode: () => unknown) => {
        try {
          return JSON.stringify(encode());
        } catch (error) {
          return `threw ${(error as Error).message}`;
        }
      };
      const ours = attempt(() => transformer.serialize(value));
      const theirs = attempt(() => superjson.serialize(value));
      if (ours !== theirs) expect({ i, ours }).toEqual({ i, ours: theirs });
      if (serializeCommon(value)) fast++;
    }
    expect(fast).toBeGreaterThan(5_000);
  });

  it("encodes a rows.list page in one pass, and it decodes back to the same page", () => {
    const page = {
      items: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, key: null, createdAt: new Date(1_700_000_000_000 + i), data: { user: `u${i}`, tags: ["a", "b"], score: i / 3, nested: { ok: true } } })),
      nextCursor: "r49",
    };
    const encoded = serializeCommon(page);
    expect(encoded).not.toBeNull();
    expect(JSON.stringify(encoded)).toBe(JSON.stringify(superjson.serialize(page)));
    expect(superjson.deserialize(encoded as never)).toEqual(page);
  });

  it("declines what only superjson can encode", () => {
    for (const value of [undefined, new Date(0), { a: new Map() }, { a: 1n }, { a: NaN }, { a: -0 }, [new Date(NaN)], new (class X {})()]) {
      expect(serializeCommon(value)).toBeNull();
    }
    const shared = { n: 1 };
    expect(serializeCommon({ a: shared, b: shared })).toBeNull();
    expect(serializeCommon({ a: { n: 1 }, b: { n: 1 } })).not.toBeNull();
  });
});
