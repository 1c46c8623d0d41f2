import { describe, expect, it } from "vitest";
import { auditListInput, auditSummary, auditTarget, parseAuditFilter } from "./audit";

describe("audit log helpers", () => {
  it("parses the filter from the URL and maps it to audit.list input", () => {
    expect(parseAuditFilter(new URLSearchParams("action=users.setRole&actor=a%40b.c"))).toEqual({ action: "users.setRole", actor: "a@b.c" });
    expect(parseAuditFilter({ action: ["apiKeys.create", "x"], actor: "  " })).toEqual({ action: "apiKeys.create", actor: null });
    expect(parseAuditFilter({ action: "x".repeat(65) })).toEqual({ action: null, actor: null });
    expect(auditListInput({ action: null, actor: null })).toEqual({ limit: 50 });
    expect(auditListInput({ action: "state.unpin", actor: "ops" })).toEqual({ limit: 50, action: "state.unpin", actor: "ops" });
  });
  it("names targets by what an operator recognises", () => {
    expect(auditTarget({ action: "users.setRole", target: "u1", data: { email: "a@b.c", from: "viewer", to: "admin" } })).toEqual({ label: "a@b.c", detail: "u1", href: null });
    expect(auditTarget({ action: "apiKeys.revoke", target: "k1", data: { name: "ci" } })).toEqual({ label: "key ci", detail: "k1", href: null });
    expect(auditTarget({ action: "apiKeys.revoke", target: "k1", data: null })).toEqual({ label: "k1", detail: null, href: null });
    expect(auditTarget({ action: "state.rollback", target: "docs qa", data: {} }).href).toBe("/state/docs%20qa");
    expect(auditTarget({ action: "trigger.params", target: "t", data: {} }).href).toBe("/state/t");
    expect(auditTarget({ action: "fits.retry", target: "0123456789abcdef", data: { trigger: "t" } })).toEqual({ label: "fit 89abcdef", detail: "t", href: "/fits/0123456789abcdef" });
    expect(auditTarget({ action: "other", target: "x", data: null })).toEqual({ label: "x", detail: null, href: null });
  });
  it("summarises known actions and stays quiet on unknown shapes", () => {
    expect(auditSummary({ action: "users.setRole", target: "u", data: { from: "viewer", to: "labeler" } })).toBe("viewer → labeler");
    expect(auditSummary({ action: "users.create", target: "u", data: { role: "admin" } })).toBe("as admin");
    expect(auditSummary({ action: "apiKeys.create", target: "k", data: { role: "viewer", prefix: "mk_ab12" } })).toBe("viewer key mk_ab12…");
    expect(auditSummary({ action: "state.rollback", target: "t", data: { from: 3, to: 1, pin: true } })).toBe("active v3 → v1 (pinned)");
    expect(auditSummary({ action: "state.rollback", target: "t", data: { from: 3, to: 1, pin: false } })).toBe("active v3 → v1");
    expect(auditSummary({ action: "trigger.params", target: "t", data: { a: 1, b: 2 } })).toBe("2 params set");
    expect(auditSummary({ action: "users.setRole", target: "u", data: null })).toBeNull();
    expect(auditSummary({ action: "state.unpin", target: "t", data: null })).toBeNull();
  });
});
