import { recordAudit } from "./audit-log.ts";
import { execute, pgNotify, selectAll, selectFirst, storage, toDate, toJson, type Database, type Query } from "@motion/db";
import type { App } from "./app.ts";
import type { Trigger } from "./trigger.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { contentHash } from "./hash.ts";
import type { Logger } from "./logger.ts";

export interface ParamsInUse {
  params: unknown;
  hash: string;
}

/** The keys of a plain object schema (one that drops unknown keys); null for any other schema, which decides for itself. */
function knownParamKeys(schema: unknown): Set<string> | null {
  const zod = (schema as { _zod?: { def?: { type?: string; catchall?: unknown; shape?: Record<string, unknown> } } })._zod?.def;
  if (zod?.type !== "object" || zod.catchall !== undefined || !zod.shape) return null;
  return new Set(Object.keys(zod.shape));
}

interface Loaded extends ParamsInUse {
  /** Which stored row these params came from (`hash@updatedAt`), "" for none. */
  marker: string;
}

interface ParamsRow {
  trigger: string;
  params: unknown;
  paramsHash: string;
  updatedAt: unknown;
}

export const PARAMS_CHANNEL = "motion_params";

export function markerOf(row: { paramsHash: string; updatedAt: unknown } | undefined): string {
  return row ? `${row.paramsHash}@${toDate(row.updatedAt).getTime()}` : "";
}

export function* readParamsMarkers(): Query<{ trigger: string; paramsHash: string; updatedAt: unknown }[]> {
  return yield* selectAll(storage.selectFrom("TriggerParams").select(["trigger", "paramsHash", "updatedAt"]));
}

/**
 * The params each trigger runs with in this process. The database is the source of truth:
 * params set at run time (by any process) win over deployment overrides, and every process
 * follows a change (a notification on PostgreSQL, a read before each fit claim on SQLite,
 * and the periodic consistency check everywhere).
 */
export class TriggerParamsStore {
  private readonly current = new Map<string, Loaded>();

  constructor(
    private readonly app: App,
    private readonly db: Database,
    private readonly overrides: Record<string, Record<string, unknown>>,
    private readonly log: Logger,
  ) {}

  /** Loads every trigger's params; invalid stored params fail the start (a clear error). */
  async load(): Promise<void> {
    const rows: ParamsRow[] = await this.db.read(() => selectAll(storage.selectFrom("TriggerParams").select(["trigger", "params", "paramsHash", "updatedAt"])));
    for (const t of this.app.triggers) this.apply(t, rows.find((r) => r.trigger === t.name));
  }

  get(trigger: string): ParamsInUse {
    const p = this.current.get(trigger);
    if (!p) throw new NotFoundError(`unknown trigger ${trigger}`);
    return { params: p.params, hash: p.hash };
  }

  /** The stored row's marker this process runs with (for the consistency check). */
  marker(trigger: string): string | undefined {
    return this.current.get(trigger)?.marker;
  }

  /** Re-reads one trigger's stored params (after a notification or a changed marker). */
  async reload(trigger: string): Promise<void> {
    const t = this.app.trigger(trigger);
    if (!t) return;
    const row: ParamsRow | undefined = await this.db.read(() => selectFirst(storage.selectFrom("TriggerParams").select(["trigger", "params", "paramsHash", "updatedAt"]).where("trigger", "=", trigger)));
    if (markerOf(row) === this.current.get(trigger)?.marker) return;
    try {
      this.apply(t, row);
      this.log.info({ trigger, hash: this.current.get(trigger)!.hash }, "params changed in the database; now using them");
    } catch (error) {
      // Another process stored params this code's schema rejects (a rolling deploy): keep ours.
      this.log.error({ trigger, err: (error as Error).message }, "stored params do not match this trigger's schema; keeping the previous params");
    }
  }

  /** Params for a fit about to be claimed: on SQLite, checked against the database first. */
  async forFit(trigger: string): Promise<ParamsInUse> {
    // A local SQLite read costs microseconds; on PostgreSQL notifications keep params current.
    if (this.db.provider === "sqlite") await this.reload(trigger);
    return this.get(trigger);
  }

  /** Validates, stores and audits new params, tells other processes, and uses them here. */
  async set(trigger: string, raw: Record<string, unknown>, actor: string): Promise<ParamsInUse> {
    const t = this.app.trigger(trigger);
    if (!t) throw new NotFoundError(`unknown trigger ${trigger}`);
    // An object schema drops keys it does not know: a typo ("K" for "k") would quietly set every
    // param back to its default. Unknown keys are refused by name instead.
    const known = knownParamKeys(t.params);
    const unknown = known ? Object.keys(raw).filter((key) => !known.has(key)) : [];
    if (unknown.length) {
      const expected = [...known!].join(", ") || "none";
      throw new ValidationError(`params of trigger ${trigger}`, unknown.map((key) => ({ index: 0, path: [key], message: `unknown param "${key}" (${trigger} takes: ${expected})`, code: "unrecognized_keys" })));
    }
    const parsed = t.params.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`params of trigger ${trigger}`, ValidationError.fromZod(trigger, 0, parsed.error));
    const hash = contentHash(parsed.data);
    const now = new Date();
    const json = JSON.stringify(parsed.data);
    const provider = this.db.provider;
    await this.db.tx(function* () {
      const changed = yield* execute(storage.updateTable("TriggerParams").set({ params: json, paramsHash: hash, updatedBy: actor, updatedAt: now }).where("trigger", "=", trigger));
      if (changed === 0) {
        yield* execute(storage.insertInto("TriggerParams").values({ trigger, params: json, paramsHash: hash, updatedBy: actor, updatedAt: now }));
      }
      yield* recordAudit({ actor, action: "trigger.params", target: trigger, data: json, at: now });
      if (provider === "postgresql") yield* pgNotify(PARAMS_CHANNEL, trigger);
    });
    this.apply(t, { trigger, params: parsed.data, paramsHash: hash, updatedAt: now });
    return this.get(trigger);
  }

  private apply(t: Trigger, row: ParamsRow | undefined): void {
    const stored = row ? toJson<Record<string, unknown>>(row.params) : {};
    const parsed = t.params.safeParse({ ...(this.overrides[t.name] ?? {}), ...stored });
    if (!parsed.success) throw new ValidationError(`params of trigger ${t.name}`, ValidationError.fromZod(t.name, 0, parsed.error));
    this.current.set(t.name, { params: Object.freeze(parsed.data), hash: contentHash(parsed.data), marker: markerOf(row) });
  }
}
