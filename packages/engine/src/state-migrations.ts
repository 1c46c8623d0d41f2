// State migrations: a trigger's `stateSchema` and its `migrations` chain. Versions are never
// edited: migrating one writes a NEW version (parent: the migrated one, schema: the current)
// and moves the alias there, recorded as the actor `migration:<schema>` with an audit entry.
import { pgNotify, selectFirst, storage, type Database, type Query } from "@motion/db";
import { recordAudit } from "./audit-log.ts";
import { ConflictError, StateMigrationError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { encodeValue, freezeState, type Manifest, type State } from "./state.ts";
import { insertBlobs, insertVersion, moveAlias, readAliases, type EncodedPatch, type StateStore, type VersionInfo } from "./state-store.ts";
import type { StateMigration, Trigger } from "./trigger.ts";

/** The steps from `fromSchema` to the trigger's current schema ([] when already there), or null: no path. */
export function migrationPath(t: Trigger, fromSchema: number): StateMigration[] | null {
  if (fromSchema === t.stateSchema) return [];
  if (fromSchema > t.stateSchema) return null;
  const steps: StateMigration[] = [];
  let at = fromSchema;
  while (at < t.stateSchema) {
    const step = t.migrations.find((m) => m.from === at);
    if (!step) return null;
    steps.push(step);
    at = step.to;
  }
  return steps;
}

export function noPathError(t: Trigger, version: number, schema: number, what: string): StateMigrationError {
  const why = schema > t.stateSchema
    ? `it is in schema ${schema}, newer than this deploy's stateSchema ${t.stateSchema}`
    : `it is in schema ${schema} and no declared migration leads from schema ${schema} to ${t.stateSchema} (declare migrations: [{ from: ${schema}, to, migrate }])`;
  return new StateMigrationError(`${what}: state version ${version} of ${t.name} cannot be migrated: ${why}`, t.name, version, schema, t.stateSchema);
}

/**
 * Runs the chain on one version's state, in memory (user code, outside any transaction). A
 * throwing or malformed `migrate` is a StateMigrationError naming the step; nothing is written.
 */
export async function runMigrations(t: Trigger, info: VersionInfo, state: State, log: Logger, what: string): Promise<State> {
  const steps = migrationPath(t, info.schema);
  if (!steps) throw noPathError(t, info.version, info.schema, what);
  let current = state;
  for (const step of steps) {
    let next: unknown;
    try {
      next = await step.migrate(freezeState(current, false), { trigger: t.name, version: info.version, from: step.from, to: step.to, log });
    } catch (error) {
      throw new StateMigrationError(
        `${what}: migration ${step.from} → ${step.to} of ${t.name} failed on state version ${info.version}: ${(error as Error)?.message ?? String(error)}; nothing was written and version ${info.version} is unchanged`,
        t.name, info.version, step.from, step.to, error,
      );
    }
    if (!next || typeof next !== "object" || Array.isArray(next)) {
      throw new StateMigrationError(`${what}: migration ${step.from} → ${step.to} of ${t.name} must return the whole new state (an object of keys); nothing was written`, t.name, info.version, step.from, step.to);
    }
    current = next as State;
  }
  return current;
}

/** The full state as an encoded patch and its manifest (unchanged values share their blobs). */
export function encodeState(state: State): { patch: EncodedPatch; manifest: Manifest } {
  const patch: EncodedPatch = {};
  const manifest: Manifest = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    const encoded = encodeValue(key, value);
    patch[key] = encoded;
    manifest[key] = { checksum: encoded.checksum, kind: encoded.kind, size: encoded.bytes.byteLength };
  }
  return { patch, manifest };
}

/** Writes a migrated state as a new version (the caller holds the alias lock). */
export function* insertMigratedVersion(t: Trigger, parent: number, state: State, now: Date, provider: Database["provider"]): Query<VersionInfo> {
  const { patch, manifest } = encodeState(state);
  const max = yield* selectFirst(storage.selectFrom("StateVersion").select((eb) => eb.fn.max("version").as("v")).where("trigger", "=", t.name));
  yield* insertBlobs(patch, now, provider);
  return yield* insertVersion({ trigger: t.name, version: Number(max?.v ?? 0) + 1, parent, fitRunId: null, manifest, createdAt: now, schema: t.stateSchema });
}

export interface MigrationMove {
  alias: "active" | "latest";
  from: number;
  to: number;
  fromSchema: number;
}

export interface TriggerMigration {
  trigger: string;
  /** The schema migrated to (the trigger's `stateSchema`). */
  schema: number;
  /** The actor the moves are recorded with: `migration:<schema>`. */
  actor: string;
  moves: MigrationMove[];
}

const MAX_ATTEMPTS = 5;

/**
 * Brings `active` and `latest` of one trigger to its current schema, exactly once however many
 * processes do it at the same time: the chains run outside the transaction, then the write
 * happens under the alias row lock (FOR UPDATE on PostgreSQL, the write transaction on SQLite)
 * only if both aliases still point where they did; otherwise it starts over (another process
 * migrated, or a fit committed). Returns null when nothing was behind.
 */
export async function migrateTrigger(deps: { db: Database; store: StateStore; log: Logger }, t: Trigger, options: { reason?: string } = {}): Promise<TriggerMigration | null> {
  const { db, store, log } = deps;
  const provider = db.provider;
  const actor = `migration:${t.stateSchema}`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const seen = await db.read(() => readAliases(t.name));
    if (!seen) return null;
    const targets = [...new Set([seen.active, seen.latest])];
    const infos = await Promise.all(targets.map((v) => store.version(t.name, v)));
    for (const info of infos) {
      if (info.schema > t.stateSchema) log.warn({ trigger: t.name, version: info.version, schema: info.schema, stateSchema: t.stateSchema }, "state is in a newer schema than this deploy declares; left as is");
    }
    const behind = infos.filter((i) => i.schema < t.stateSchema);
    if (!behind.length) return null;
    const migrated = new Map<number, { info: VersionInfo; state: State }>();
    for (const info of behind) {
      const { state } = await store.load(t.name, info.version);
      migrated.set(info.version, { info, state: await runMigrations(t, info, state, log, "opening Motion") });
    }
    const now = new Date();
    const result = await db.tx(function* () {
      const fresh = yield* readAliases(t.name, provider);
      if (!fresh || fresh.active !== seen.active || fresh.latest !== seen.latest) return null;
      // Older first, so `latest` still points at the highest version number.
      const order = [...migrated.values()].sort((a, b) => a.info.version - b.info.version);
      const made = new Map<number, number>();
      for (const { info, state } of order) made.set(info.version, (yield* insertMigratedVersion(t, info.version, state, now, provider)).version);
      const moves: MigrationMove[] = [];
      for (const alias of ["active", "latest"] as const) {
        const from = fresh[alias];
        const to = made.get(from);
        if (to === undefined) continue;
        const fromSchema = migrated.get(from)!.info.schema;
        yield* moveAlias({ trigger: t.name, alias, from, to, actor, reason: options.reason ?? `state schema ${fromSchema} → ${t.stateSchema}`, pinned: alias === "active" ? fresh.pinned : false, at: now });
        moves.push({ alias, from, to, fromSchema });
      }
      yield* recordAudit({ actor, action: "state.migrate", target: t.name, reason: options.reason ?? null, data: { schema: t.stateSchema, moves }, at: now });
      if (provider === "postgresql") yield* pgNotify("motion_state", t.name);
      return { trigger: t.name, schema: t.stateSchema, actor, moves };
    });
    if (result) {
      log.info({ trigger: t.name, schema: t.stateSchema, moves: result.moves }, "state migrated");
      return result;
    }
  }
  throw new ConflictError(`the aliases of ${t.name} kept moving while its state was migrated (${MAX_ATTEMPTS} attempts); try again`);
}

/** A version's schema, for the rollback check (undefined: no such version). */
export function* readVersionSchema(trigger: string, version: number): Query<{ schema: number; collectedAt: unknown } | undefined> {
  const row = yield* selectFirst(storage.selectFrom("StateVersion").select(["schema", "collectedAt"]).where("trigger", "=", trigger).where("version", "=", version));
  return row ? { schema: Number(row.schema ?? 1), collectedAt: row.collectedAt } : undefined;
}
