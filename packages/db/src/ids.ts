import { randomBytes } from "node:crypto";

// Time-sortable ids: 9 chars of base-36 milliseconds, 4 of a per-process counter, 7 random.
// Sorting ids sorts by creation time (keyset pagination relies on it) and two processes
// never collide (random suffix).
let lastMs = 0;
let counter = 0;
let pool = randomBytes(4096);
let poolAt = 0;
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomSuffix(): string {
  if (poolAt + 7 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  let out = "";
  for (let i = 0; i < 7; i++) out += ALPHABET[pool[poolAt++]! % 36];
  return out;
}

/** `lastMs` in base 36, made once per millisecond (a batch's ids share theirs). */
let prefix = "0".repeat(9);

export function newId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
    prefix = lastMs.toString(36).padStart(9, "0");
  } else {
    counter++;
    if (counter >= 36 ** 4) {
      // More than 1.6M ids in one millisecond: borrow the next millisecond.
      lastMs++;
      counter = 0;
      prefix = lastMs.toString(36).padStart(9, "0");
    }
  }
  return prefix + counter.toString(36).padStart(4, "0") + randomSuffix();
}

/** Latest instant an id can hold: 9 base-36 characters of milliseconds. */
const MAX_ID_MS = 36 ** 9 - 1;

/** Smallest id that could have been made at `ms`, for time-range keyset queries (clamped to the ids' range). */
export function idFloor(ms: number): string {
  const at = Math.min(Math.max(0, Math.floor(ms)), MAX_ID_MS);
  return at.toString(36).padStart(9, "0") + "0000" + "0000000";
}
