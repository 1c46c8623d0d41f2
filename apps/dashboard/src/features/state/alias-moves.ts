/**
 * The alias history as an operator reads it: each fit moves `latest` and (unless pinned)
 * `active` in one transaction, which the log keeps as two events. They are shown as one move;
 * moves by people and keys (rollbacks, unpins) stay one row each.
 */
export interface AliasEvent {
  id: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string | null;
  createdAt: Date;
}

export interface AliasMove {
  id: string;
  /** The aliases this move set, `active` first. */
  aliases: string[];
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string | null;
  createdAt: Date;
  /** Made by a fit or by setUp, not by a person or a key. */
  automatic: boolean;
  /** The fit run that made it, when a fit did. */
  fitRunId: string | null;
}

export function isAutomatic(actor: string): boolean {
  return actor === "setUp" || actor.startsWith("fit:");
}

/** Groups events (newest first) that one automatic step made: same actor, same time, same target. */
export function groupAliasMoves(events: readonly AliasEvent[]): AliasMove[] {
  const out: AliasMove[] = [];
  for (const e of events) {
    const automatic = isAutomatic(e.actor);
    const last = out.at(-1);
    if (
      automatic && last?.automatic && last.actor === e.actor && last.toVersion === e.toVersion &&
      last.createdAt.getTime() === e.createdAt.getTime() && !last.aliases.includes(e.alias)
    ) {
      last.aliases = [...last.aliases, e.alias].sort((a, b) => (a === "active" ? -1 : b === "active" ? 1 : a.localeCompare(b)));
      // The group's "from" is the older of the two (active may lag behind latest when pinned before).
      if (e.fromVersion !== null && (last.fromVersion === null || e.fromVersion < last.fromVersion)) last.fromVersion = e.fromVersion;
      continue;
    }
    out.push({
      id: e.id,
      aliases: [e.alias],
      fromVersion: e.fromVersion,
      toVersion: e.toVersion,
      actor: e.actor,
      reason: e.reason,
      createdAt: e.createdAt,
      automatic,
      fitRunId: e.actor.startsWith("fit:") ? e.actor.slice(4) : null,
    });
  }
  return out;
}
