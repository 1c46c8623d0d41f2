import { describe, expect, it } from "vitest";
import { partitionEnd } from "../../src/drift/partition-range.ts";
import { partitionKeyOf } from "../../src/drift/partition-key.ts";
import { GRANULARITIES } from "../../src/drift/profile-options.ts";

describe("partitionEnd", () => {
  it("ends each period where the next key begins, at every granularity", () => {
    const instants = ["2001-02-17T05:30:00Z", "2020-12-31T23:59:59Z", "2021-01-03T12:00:00Z", "2024-02-29T00:00:00Z", "2026-06-15T08:00:00Z"].map((s) => new Date(s));
    for (const granularity of GRANULARITIES) {
      for (const at of instants) {
        const key = partitionKeyOf(at, granularity);
        const end = partitionEnd(key, granularity)!;
        expect(end.getTime(), `${granularity} ${key}`).toBeGreaterThan(at.getTime());
        expect(partitionKeyOf(new Date(end.getTime() - 1), granularity)).toBe(key);
        expect(partitionKeyOf(end, granularity)).not.toBe(key);
      }
    }
  });

  it("reads no end from a key of another granularity", () => {
    expect(partitionEnd("2001-02", "day")).toBeNull();
    expect(partitionEnd("2001-02-17", "week")).toBeNull();
  });
});
