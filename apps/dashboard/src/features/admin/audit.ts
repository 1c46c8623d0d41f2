/** What the API records in the audit log (`audit.list`), for the action filter. */
export const AUDIT_ACTIONS = [
  "users.create",
  "users.setRole",
  "apiKeys.create",
  "apiKeys.revoke",
  "state.rollback",
  "state.unpin",
  "state.gc",
  "rows.retention",
  "trigger.params",
  "fits.retry",
] as const;

export interface AuditFilter {
  action: string | null;
  actor: string | null;
}

export function parseAuditFilter(params: Record<string, string | string[] | undefined> | URLSearchParams): AuditFilter {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : ([params[k]].flat()[0] ?? null)) ?? null;
  const action = get("action")?.trim() || null;
  const actor = get("actor")?.trim() || null;
  return { action: action && action.length <= 64 ? action : null, actor: actor && actor.length <= 320 ? actor : null };
}

/** `audit.list` input for a filter; the server page prefetches with the same input. */
export function auditListInput(f: AuditFilter) {
  return { limit: 50, ...(f.action ? { action: f.action } : {}), ...(f.actor ? { actor: f.actor } : {}) };
}

export interface AuditEventLike {
  action: string;
  target: string;
  data: unknown;
}

function field(data: unknown, key: string): unknown {
  return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)[key] : undefined;
}
const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** A readable target: the user's email, the key's name, a trigger (linked) or a fit run (linked). */
export function auditTarget(e: AuditEventLike): { label: string; detail: string | null; href: string | null } {
  if (e.action.startsWith("users.")) return { label: str(field(e.data, "email")) ?? e.target, detail: str(field(e.data, "email")) ? e.target : null, href: null };
  if (e.action.startsWith("apiKeys.")) return { label: str(field(e.data, "name")) ? `key ${str(field(e.data, "name"))}` : e.target, detail: str(field(e.data, "name")) ? e.target : null, href: null };
  if (e.action.startsWith("state.") || e.action.startsWith("trigger.")) return { label: e.target, detail: null, href: `/state/${encodeURIComponent(e.target)}` };
  if (e.action.startsWith("fits.")) return { label: `fit ${e.target.slice(-8)}`, detail: str(field(e.data, "trigger")), href: `/fits/${encodeURIComponent(e.target)}` };
  return { label: e.target, detail: null, href: null };
}

/** A one-line summary of what changed, when the action has a known shape; else null. */
export function auditSummary(e: AuditEventLike): string | null {
  const d = e.data;
  switch (e.action) {
    case "users.setRole":
      return str(field(d, "from")) && str(field(d, "to")) ? `${field(d, "from")} → ${field(d, "to")}` : null;
    case "users.create":
      return str(field(d, "role")) ? `as ${field(d, "role")}` : null;
    case "apiKeys.create":
      return str(field(d, "role")) ? `${field(d, "role")} key${str(field(d, "prefix")) ? ` ${field(d, "prefix")}…` : ""}` : null;
    case "state.rollback": {
      const from = field(d, "from");
      const to = field(d, "to");
      if (typeof from !== "number" || typeof to !== "number") return null;
      return `active v${from} → v${to}${field(d, "pin") === true ? " (pinned)" : ""}`;
    }
    case "state.gc": {
      const versions = field(d, "versions");
      const bytes = field(d, "bytes");
      if (!Array.isArray(versions) || typeof bytes !== "number") return null;
      return `${versions.length} versions collected, ${bytes} bytes freed`;
    }
    case "trigger.params":
      return typeof d === "object" && d !== null ? `${Object.keys(d).length} params set` : null;
    default:
      return null;
  }
}
