// Ids sort by creation time: within a millisecond by the counter, across milliseconds by the
// base-36 instant (made once per millisecond), and idFloor(ms) sorts before every id of ms.
import { describe, expect, it } from "vitest";
import { idFloor, newId } from "../src/index.ts";

describe("newId", () => {
  it("is 20 characters, time-ordered within and across milliseconds", () => {
    const t = Date.UTC(2026, 11, 5, 12, 0, 0);
    const ids = [newId(t), newId(t), newId(t), newId(t + 1), newId(t + 1), newId(t + 1000)];
    expect(ids.every((id) => id.length === 20)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]!.slice(0, 9)).toBe(t.toString(36).padStart(9, "0"));
    expect(ids[3]!.slice(0, 9)).toBe((t + 1).toString(36).padStart(9, "0"));
    expect(idFloor(t + 1) > ids[2]!).toBe(true);
    expect(idFloor(t + 1) <= ids[3]!).toBe(true);
  });

  it("an instant older than the last one keeps counting on the last one (never sorts back)", () => {
    const t = Date.UTC(2026, 11, 5, 13, 0, 0);
    const a = newId(t);
    const b = newId(t - 5000);
    expect(b > a).toBe(true);
    expect(b.slice(0, 9)).toBe(a.slice(0, 9));
  });
});
