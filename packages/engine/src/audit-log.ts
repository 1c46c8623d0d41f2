// The audit log: one append-only table every operator-visible change writes to, in the same
// transaction as the change, so an entry exists exactly when the change does.
import { newId, prepare, storage, type Query } from "@motion/db";

export interface AuditEntry {
  actor: string;
  /** Dotted, e.g. `state.rollback`, `rows.delete`, `drift.release`. */
  action: string;
  target: string;
  reason?: string | null;
  /** Stored as JSON; a string is taken as JSON already. */
  data?: unknown;
  at?: Date;
}

// Written in the transaction of every audited change: compiled once.
const INSERT = prepare((id: string, actor: string, action: string, target: string, reason: string | null, data: string | null, createdAt: Date) =>
  storage.insertInto("AuditEvent").values({ id, actor, action, target, reason, data, createdAt }),
);

export function* recordAudit(entry: AuditEntry): Query<void> {
  const at = entry.at ?? new Date();
  const data = entry.data === undefined || entry.data === null ? null : typeof entry.data === "string" ? entry.data : JSON.stringify(entry.data);
  yield* INSERT.run(newId(at.getTime()), entry.actor, entry.action, entry.target, entry.reason ?? null, data, at);
}
