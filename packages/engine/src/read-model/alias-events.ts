// The alias history operators read: every move of `active` / `latest` (or of `candidate`),
// newest first, optionally only the moves a person or key made.
import { idFloor, prepare, selectAll, storage, toDate, toNum, type Query } from "@motion/db";
import { pageOf, type Page } from "./page.ts";

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

// Polled by every state.onVersion subscriber: compiled once.
const MOVES_AFTER = prepare((trigger: string, after: string, limit: number) =>
  storage.selectFrom("AliasEvent").selectAll().where("trigger", "=", trigger).where("id", ">", after).where("alias", "<>", "candidate").orderBy("id").limit(limit),
);

/** Moves of `active` / `latest` after alias-history id `after` ("" for all), oldest first. */
export function* readAliasMovesAfter(trigger: string, after: string, limit: number): Query<AliasMove[]> {
  const rows = yield* MOVES_AFTER.all(trigger, after, limit);
  return rows.map((r) => ({ ...toRecord(r), trigger, alias: r.alias as "active" | "latest", toVersion: toNum(r.toVersion) }));
}

export function* listAliasEvents(filter: AliasEventFilter): Query<Page<AliasEventRecord>> {
  let q = storage.selectFrom("AliasEvent").selectAll().where("trigger", "=", filter.trigger);
  q = filter.alias ? q.where("alias", "=", filter.alias) : q.where("alias", "<>", "candidate");
  // Automatic moves are made by a fit ("fit:<run>") or by setUp (version 0).
  if (filter.operatorOnly) q = q.where("actor", "not like", "fit:%").where("actor", "<>", "setUp");
  if (filter.cursor) q = q.where("id", "<", filter.cursor);
  const rows = yield* selectAll(q.orderBy("id", "desc").limit(filter.limit + 1));
  return pageOf(rows.map(toRecord), filter.limit);
}
