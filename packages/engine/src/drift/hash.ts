// 30-bit value hashes for the distinct-count and heavy-hitter sketches. 30 bits keep every
// hash a V8 small integer, so Set/Map updates on the per-row path never box a number.

const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

/** murmur3's finaliser: spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export function hashNumber(value: number): number {
  // -0 and 0 are one value.
  scratch[0] = value === 0 ? 0 : value;
  return mix(words[0]! ^ mix(words[1]! + 0x9e3779b9)) & 0x3fffffff;
}

/** Long strings hash their first and last 512 characters and their length (bounded cost). */
const LONG = 1024;

export function hashString(value: string): number {
  let h = 0x811c9dc5;
  const n = value.length;
  if (n <= LONG) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < LONG / 2; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    for (let i = n - LONG / 2; i < n; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ n, 0x01000193);
  }
  return mix(h) & 0x3fffffff;
}
