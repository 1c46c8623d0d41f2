// Formats the engine states once for everyone (the API's state value download, the console):
// binary kinds and their element sizes, and ids' time floor.
import { describe, expect, it } from "vitest";
import { idFloor } from "@motion/db";
import { ELEMENT_BYTES, elementCount } from "../src/index.ts";

describe("engine formats", () => {
  it("element sizes follow the typed arrays (a buffer counts bytes)", () => {
    expect(ELEMENT_BYTES).toEqual({ buffer: 1, f32: 4, f64: 8, i8: 1, i16: 2, i32: 4, u8: 1, u16: 2, u32: 4 });
    expect(elementCount("f64", 80)).toBe(10);
    expect(elementCount("buffer", 7)).toBe(7);
    expect(elementCount("unknown", 7)).toBe(7);
  });

  it("idFloor clamps to the ids' range, so any instant gives a well-formed id", () => {
    expect(idFloor(-5)).toBe("0".repeat(20));
    expect(idFloor(1.7)).toBe(idFloor(1));
    expect(idFloor(Number.MAX_SAFE_INTEGER)).toBe("z".repeat(9) + "0".repeat(11));
    expect(idFloor(Date.UTC(2026, 0, 1))).toHaveLength(20);
  });
});
