// The alias history operators read: every move of `active` / `latest` (or of `candidate`),
// newest first, optionally only the moves a person or key made.
import { all, idFloor, toDate, toNum, type Query } from "@motion/db";
import { Conditions, pageOf, type Page } from "./page.ts";

export interface AliasEventFilter {
  trigger: string;
  /** One alias; default: every alias but `candidate` (whose moves may clear it). */
  alias?: "active" | "latest" | "candidate";
  /** Only moves a person or key made (rollbacks, unpins, promotions), not each fit's or setUp's. */
  operatorOnly?: boolean;
  cursor?: string | null;
  limit: number;
}

export interface AliasEventRecord {
  id: string;
  alias: string;
  fromVersion: number | null;
  /** Null when the move cleared the alias (an aborted candidate). */
  toVersion: number | null;
  actor: string;
  reason: string | null;
  createdAt: Date;
}

/** A move of `active` or `latest`, as the API's `state.onVersion` subscription streams it. */
export interface AliasMove extends AliasEventRecord {
  trigger: string;
  alias: "active" | "latest";
  toVersion: number;
}

/** The lowest alias-history id of a moment (ids are time-ordered): for looking back a few seconds. */
export const aliasMoveIdAt = (ms: number): string => idFloor(ms);

const num = (v: unknown) => (v === null || v === undefined ? null : toNum(v));

function toRecord(r: Record<string, unknown>): AliasEventRecord {
  return {
    id: r.id as string, alias: r.alias as string, fromVersion: num(r.fromVersion), toVersion: num(r.toVersion),
    actor: r.actor as string, reason: (r.reason as string | null) ?? null, createdAt: toDate(r.createdAt),
  };
}

/** Moves of `active` / `latest` after alias-history id `after` ("" for all), oldest first. */
export function* readAliasMovesAfter(trigger: string, after: string, limit: number): Query<AliasMove[]> {
  const rows = yield* all<Record<string, unknown>>(
    `SELECT * FROM "AliasEvent" WHERE "trigger" = ? AND "id" > ? AND "alias" <> ? ORDER BY "id" LIMIT ?`,
    [trigger, after, "candidate", limit],
  );
  return rows.map((r) => ({ ...toRecord(r), trigger, alias: r.alias as "active" | "latest", toVersion: toNum(r.toVersion) }));
}

export function* listAliasEvents(filter: AliasEventFilter): Query<Page<AliasEventRecord>> {
  const where = new Conditions();
  where.add(`"trigger" = ?`, filter.trigger);
  if (filter.alias) where.add(`"alias" = ?`, filter.alias);
  else where.add(`"alias" <> ?`, "candidate");
  // Automatic moves are made by a fit ("fit:<run>") or by setUp (version 0).
  if (filter.operatorOnly) where.add(`"actor" NOT LIKE 'fit:%' AND "actor" <> ?`, "setUp");
  if (filter.cursor) where.add(`"id" < ?`, filter.cursor);
  const rows = yield* all<Record<string, unknown>>(`SELECT * FROM "AliasEvent" ${where.sql()} ORDER BY "id" DESC LIMIT ?`, [...where.params, filter.limit + 1]);
  return pageOf(rows.map(toRecord), filter.limit);
}
