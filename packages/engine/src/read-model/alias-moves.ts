// Moves of a trigger's aliases after a given alias-history id, oldest first: what the API's
// `state.onVersion` subscription streams. Ids are time-ordered (newId), so `aliasMoveIdAt(ms)`
// gives the lowest id of a moment, for looking back a few seconds.
import { all, idFloor, toDate, toNum, type Database } from "@motion/db";

export interface AliasMove {
  id: string;
  trigger: string;
  alias: "active" | "latest";
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string | null;
  createdAt: Date;
}

export const aliasMoveIdAt = (ms: number): string => idFloor(ms);

export async function readAliasMoves(db: Database, trigger: string, after: string, limit: number): Promise<AliasMove[]> {
  const rows = await db.read(() => all<Record<string, unknown>>(`SELECT * FROM "AliasEvent" WHERE "trigger" = ? AND "id" > ? ORDER BY "id" LIMIT ?`, [trigger, after, limit]));
  return rows.map((r) => ({
    id: r.id as string,
    trigger: r.trigger as string,
    alias: r.alias as "active" | "latest",
    fromVersion: r.fromVersion === null || r.fromVersion === undefined ? null : toNum(r.fromVersion),
    toVersion: toNum(r.toVersion),
    actor: r.actor as string,
    reason: (r.reason as string | null) ?? null,
    createdAt: toDate(r.createdAt),
  }));
}
