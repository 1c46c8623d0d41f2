// Engine errors map to the tRPC codes clients act on.
import { describe, expect, it } from "vitest";
import { BackpressureError, ConflictError, NotFoundError } from "@motion/engine";
import { toTRPCError } from "../src/errors.ts";

describe("toTRPCError", () => {
  it("maps a full fit backlog to TOO_MANY_REQUESTS with the engine's message", () => {
    const error = toTRPCError(new BackpressureError("docs-qa", "documents", 100_000, 100_000, 1_000));
    expect(error?.code).toBe("TOO_MANY_REQUESTS");
    expect(error?.message).toMatch(/docs-qa\/documents has 100000 rows waiting/);
  });

  it("maps not-found and conflicts, and leaves a genuine bug unmapped", () => {
    expect(toTRPCError(new NotFoundError("no such row"))?.code).toBe("NOT_FOUND");
    expect(toTRPCError(new ConflictError("busy"))?.code).toBe("CONFLICT");
    expect(toTRPCError(new TypeError("x is undefined"))).toBeNull();
  });
});
