import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Motion } from "@motion/engine";

/** Names are matched against the app; a well-formed unknown name is NOT_FOUND. */
export const nameSchema = z.string().min(1).max(128);
export const idSchema = z.string().min(1).max(64);
export const cursorSchema = z.string().min(1).max(64).nullish();
/**
 * The cursor of a list keyed by Motion's ids (20 characters, time-sortable): the id of the last
 * item of the previous page. Any other text was never handed out; paging "after" it would
 * answer a page that means nothing. (An id that was deleted since still pages on correctly.)
 */
export const idCursorSchema = z
  .string()
  .regex(/^[0-9a-z]{20}$/, "not a cursor this list gave out: pass nextCursor back as it came")
  .nullish();
export const limitSchema = z.number().int().min(1).max(200).default(50);
/** Versions are int4 in PostgreSQL. */
export const versionSchema = z.number().int().min(0).max(2_147_483_647);
export const reasonSchema = z.string().trim().min(1).max(2_000);
/** Longest display name: `users.create` and an operator's own profile (better-auth's update-user). */
export const MAX_NAME_LENGTH = 200;
export const roleSchema = z.enum(["viewer", "labeler", "admin"]);

/** `?, ?, …` for an IN list (the state router's, until it moves to the engine). */
export function placeholders(n: number): string {
  return new Array(n).fill("?").join(", ");
}

export function requireRelation(motion: Motion, name: string) {
  const relation = motion.app.relation(name);
  if (!relation) throw new TRPCError({ code: "NOT_FOUND", message: `unknown relation ${name}` });
  return relation;
}

export function requireTrigger(motion: Motion, name: string) {
  const trigger = motion.app.trigger(name);
  if (!trigger) throw new TRPCError({ code: "NOT_FOUND", message: `unknown trigger ${name}` });
  return trigger;
}

/** One page of a keyset query fetched with `limit + 1` rows. */
export function page<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}

/** Input of a list with no filters: `{ cursor?, limit? }`, all optional. */
export const listInput = z.object({ cursor: cursorSchema, limit: limitSchema }).default({ limit: 50 });

/**
 * A page of a list defined in code (relations, triggers), in declaration order: the cursor is
 * the last name of the previous page. The list is fixed for a running app, so a cursor that
 * names nothing in it is a bad request, not an empty page.
 */
export function pageByName<T extends { name: string }>(all: readonly T[], cursor: string | null | undefined, limit: number): { items: T[]; nextCursor: string | null } {
  let start = 0;
  if (cursor) {
    const at = all.findIndex((x) => x.name === cursor);
    if (at === -1) throw new TRPCError({ code: "BAD_REQUEST", message: `cursor ${JSON.stringify(cursor)} names nothing in this list; pass the nextCursor of the previous page` });
    start = at + 1;
  }
  return page(all.slice(start, start + limit + 1), limit, (x) => x.name);
}

