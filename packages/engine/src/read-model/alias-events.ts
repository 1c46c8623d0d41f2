// The alias history operators read: every move of `active` / `latest` (or of `candidate`),
// newest first, optionally only the moves a person or key made.
import { all, toDate, toNum, type Query } from "@motion/db";
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

export function* listAliasEvents(filter: AliasEventFilter): Query<Page<AliasEventRecord>> {
  const where = new Conditions();
  where.add(`"trigger" = ?`, filter.trigger);
  if (filter.alias) where.add(`"alias" = ?`, filter.alias);
  else where.add(`"alias" <> ?`, "candidate");
  // Automatic moves are made by a fit ("fit:<run>") or by setUp (version 0).
  if (filter.operatorOnly) where.add(`"actor" NOT LIKE 'fit:%' AND "actor" <> ?`, "setUp");
  if (filter.cursor) where.add(`"id" < ?`, filter.cursor);
  const rows = yield* all<Record<string, unknown>>(`SELECT * FROM "AliasEvent" ${where.sql()} ORDER BY "id" DESC LIMIT ?`, [...where.params, filter.limit + 1]);
  const num = (v: unknown) => (v === null || v === undefined ? null : toNum(v));
  return pageOf(
    rows.map((r) => ({
      id: r.id as string, alias: r.alias as string, fromVersion: num(r.fromVersion), toVersion: num(r.toVersion),
      actor: r.actor as string, reason: (r.reason as string | null) ?? null, createdAt: toDate(r.createdAt),
    })),
    filter.limit,
  );
}
