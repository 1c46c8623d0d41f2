import { describe, expect, it } from "vitest";
import { addPurgeReports, defaultPurgeCutoff, parseLocalCutoff, toLocalInput } from "./purge";

describe("purge dialog helpers", () => {
  it("adds up successive reports; kept rows come from the last one", () => {
    const first = addPurgeReports(null, { rows: 500, inferences: 400, feedback: 3, keptPending: 2 });
    expect(addPurgeReports(first, { rows: 20, inferences: 10, feedback: 0, keptPending: 5 })).toEqual({ rows: 520, inferences: 410, feedback: 3, keptPending: 5 });
  });

  it("suggests the retention window, else 30 days, as a local datetime input value", () => {
    const now = new Date(2026, 5, 30, 12, 0);
    expect(defaultPurgeCutoff(now, 7)).toBe("2026-06-23T12:00");
    expect(defaultPurgeCutoff(now, null)).toBe("2026-05-31T12:00");
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4))).toBe("2026-01-02T03:04");
  });

  it("accepts a past local time and refuses empty, invalid and future ones", () => {
    const now = new Date(2026, 5, 30, 12, 0);
    expect(parseLocalCutoff("2026-06-01T08:30", now)).toEqual({ ok: true, date: new Date(2026, 5, 1, 8, 30) });
    expect(parseLocalCutoff("", now)).toMatchObject({ ok: false });
    expect(parseLocalCutoff("2026-13-45T99:99", now)).toMatchObject({ ok: false, message: "Not a valid date and time." });
    expect(parseLocalCutoff("2026-07-01T00:00", now)).toMatchObject({ ok: false, message: "The cut-off must not be in the future." });
  });
});
