// The ingest-path rollups look a key up only when it changes from one inference to the next:
// batches whose keys interleave (two routes, two versions, an hour boundary, errors and cache
// hits mixed in) must fold exactly as a per-inference fold would.
import { describe, expect, it } from "vitest";
import type { InferenceInsert } from "@motion/db";
import { latencyBucket, rollUpHours, rollUpInferences, rollUpMinutes } from "../../src/index.ts";

function samples(): InferenceInsert[] {
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: InferenceInsert[] = [];
  const start = Date.UTC(2026, 0, 1, 9, 59, 59, 500);
  for (let i = 0; i < 600; i++) {
    // Runs of a few inferences of one key, then a switch back and forth.
    const k = Math.floor(i / 3) % 5;
    const createdAt = new Date(start + (i % 7) * 150);
    out.push({
      id: `i${i}`, rowId: `r${i}`, relation: "rel", trigger: k % 2 ? "a" : "b", route: "r", output: "1", error: rand() < 0.1 ? "boom" : null,
      stateVersion: k % 3, paramsHash: k === 4 ? "p2" : "p1", inputHash: "", latencyMs: rand() * 40, cached: rand() < 0.2, createdAt,
    });
  }
  return out;
}

/** key → [inferences, errors, cached, latency sum] and key|bucket → count, one inference at a time. */
function naive(list: InferenceInsert[], keyOf: (i: InferenceInsert) => string) {
  const totals = new Map<string, number[]>();
  const buckets = new Map<string, number>();
  for (const i of list) {
    const key = keyOf(i);
    const t = totals.get(key) ?? [0, 0, 0, 0];
    t[0]! += 1;
    if (i.error !== null) t[1]! += 1;
    if (i.cached) t[2]! += 1;
    t[3]! += i.latencyMs;
    totals.set(key, t);
    const b = `${key}|${latencyBucket(i.latencyMs)}`;
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  return { totals, buckets };
}

const hour = (d: Date | number) => Math.floor(new Date(d).getTime() / 3_600_000) * 3_600_000;
const minute = (d: Date | number) => Math.floor(new Date(d).getTime() / 60_000) * 60_000;

describe("rollups over interleaved keys", () => {
  const list = samples();

  it("per version and params", () => {
    const r = rollUpInferences(list);
    const want = naive(list, (i) => `${i.trigger}/${i.stateVersion}/${i.paramsHash}`);
    expect(new Map(r.outcomes.map((o) => [`${o.trigger}/${o.stateVersion}/${o.paramsHash}`, [o.inferences, o.errors, o.cached, o.latencySum]]))).toEqual(want.totals);
    expect(new Map(r.latencies.map((l) => [`${l.trigger}/${l.stateVersion}/${l.paramsHash}|${l.bucket}`, l.count]))).toEqual(want.buckets);
  });

  it("per hour (the batch crosses 10:00)", () => {
    const r = rollUpHours(list);
    expect(new Set(r.hours.map((h) => h.hour)).size).toBe(2);
    const want = naive(list, (i) => `${i.trigger}/${i.stateVersion}/${hour(i.createdAt)}/${i.paramsHash}`);
    expect(new Map(r.hours.map((h) => [`${h.trigger}/${h.stateVersion}/${h.hour}/${h.paramsHash}`, [h.inferences, h.errors, h.cached, h.latencySum]]))).toEqual(want.totals);
    expect(new Map(r.latencies.map((l) => [`${l.trigger}/${l.stateVersion}/${l.hour}/${l.paramsHash}|${l.bucket}`, l.count]))).toEqual(want.buckets);
  });

  it("per minute, and subtracting folds to the negation", () => {
    const r = rollUpMinutes(list);
    const want = naive(list, (i) => `${i.trigger}/${minute(i.createdAt)}`);
    // A minute keeps no cache count.
    const withoutCached = new Map([...want.totals].map(([k, [n, e, , sum]]) => [k, [n, e, sum]]));
    expect(new Map(r.minutes.map((m) => [`${m.trigger}/${m.minute}`, [m.inferences, m.errors, m.latencySum]]))).toEqual(withoutCached);
    expect(new Map(r.latencies.map((l) => [`${l.trigger}/${l.minute}|${l.bucket}`, l.count]))).toEqual(want.buckets);
    const minus = rollUpMinutes(list, -1);
    expect(minus.minutes.map((m) => m.inferences)).toEqual(r.minutes.map((m) => -m.inferences));
  });
});
