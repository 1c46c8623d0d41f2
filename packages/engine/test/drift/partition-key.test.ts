import { describe, expect, it } from "vitest";
import { PartitionKeyError, partitionKeyFunction, partitionKeyOf } from "../../src/drift/partition-key.ts";

describe("partition keys", () => {
  const t = new Date("2001-02-17T05:42:00Z");

  it("formats sortable keys at each granularity, in UTC", () => {
    expect(partitionKeyOf(t, "hour")).toBe("2001-02-17T05");
    expect(partitionKeyOf(t, "day")).toBe("2001-02-17");
    expect(partitionKeyOf(t, "week")).toBe("2001-W07");
    expect(partitionKeyOf(t, "month")).toBe("2001-02");
  });

  it("uses ISO weeks across year ends", () => {
    expect(partitionKeyOf(new Date("2001-01-01T00:00:00Z"), "week")).toBe("2001-W01");
    expect(partitionKeyOf(new Date("2005-01-01T12:00:00Z"), "week")).toBe("2004-W53");
    expect(partitionKeyOf(new Date("2008-12-29T00:00:00Z"), "week")).toBe("2009-W01");
  });

  it("defaults to the ingest day", () => {
    expect(partitionKeyFunction()({ a: 1 }, t)).toBe("2001-02-17");
  });

  it("reads a field (nested by dots) holding a date string, a Date or epoch milliseconds", () => {
    const byField = partitionKeyFunction({ by: "meta.at", granularity: "hour" });
    expect(byField({ meta: { at: "2001-02-17" } }, new Date())).toBe("2001-02-17T00");
    expect(byField({ meta: { at: "2001-02-17 05:10" } }, new Date())).toBe("2001-02-17T05");
    expect(byField({ meta: { at: "2001-02-17T23:30:00-02:00" } }, new Date())).toBe("2001-02-18T01");
    expect(byField({ meta: { at: t } }, new Date())).toBe("2001-02-17T05");
    expect(byField({ meta: { at: t.getTime() } }, new Date())).toBe("2001-02-17T05");
  });

  it("takes a function returning a Date or a string", () => {
    expect(partitionKeyFunction<{ d: string }>({ by: (r) => r.d, granularity: "month" })({ d: "2001-02-17" }, new Date())).toBe("2001-02");
    expect(partitionKeyFunction({ by: () => t, granularity: "week" })({}, new Date())).toBe("2001-W07");
  });

  it("rejects rows without a valid time, naming the path", () => {
    const byField = partitionKeyFunction({ by: "meta.at" });
    const cases: [unknown, RegExp][] = [
      [{ meta: {} }, /"meta.at" is missing/],
      [{ meta: { at: "yesterday" } }, /not a date/],
      [{ meta: { at: "2001-13-45" } }, /not a valid date/],
      [{ meta: { at: Number.NaN } }, /not an epoch/],
      [{ meta: { at: true } }, /a boolean/],
    ];
    for (const [row, message] of cases) {
      let error: unknown;
      try {
        byField(row, new Date());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PartitionKeyError);
      expect((error as PartitionKeyError).message).toMatch(message);
      expect((error as PartitionKeyError).path).toEqual(["meta", "at"]);
    }
    expect(() => partitionKeyFunction({ by: () => new Date("nope") })({}, new Date())).toThrow(/invalid Date/);
    expect(() => partitionKeyFunction({ by: () => { throw new Error("boom"); } })({}, new Date())).toThrow(/partitionBy threw: boom/);
  });
});
