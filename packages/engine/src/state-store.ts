import { execute, insertRows, newId, prepare, selectAll, storage, toBuffer, toDate, toJson, type Database, type Provider, type Query } from "@motion/db";
import {
  decodeValue, encodeValue, manifestChecksum, manifestSize,
  type BlobKind, type EncodedValue, type Manifest, type State, type StatePatch,
} from "./state.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import { lockBlobsShared } from "./state-gc.ts";

export interface VersionInfo {
  trigger: string;
  version: number;
  parent: number | null;
  fitRunId: string | null;
  manifest: Manifest;
  size: number;
  checksum: string;
  createdAt: Date;
  /** When the state GC deleted this version's unshared values (`keepVersions`), else null. */
  collectedAt: Date | null;
  /** The trigger's state schema version this state is in (`stateSchema`; 1 before migrations existed). */
  schema: number;
}

export interface Aliases {
  active: number;
  latest: number;
  pinned: boolean;
}

/** A patch already encoded (in the fit worker): the main thread only writes bytes. */
export type EncodedPatch = Record<string, EncodedValue | null>;

export function encodePatch(patch: StatePatch): EncodedPatch {
  const out: EncodedPatch = {};
  for (const [key, value] of Object.entries(patch)) out[key] = value === undefined ? null : encodeValue(key, value);
  return out;
}

export function nextManifest(base: Manifest, patch: EncodedPatch): Manifest {
  const next: Manifest = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = { checksum: value.checksum, kind: value.kind, size: value.bytes.byteLength };
  }
  return next;
}

function rowToVersion(r: Record<string, unknown>): VersionInfo {
  return {
    trigger: r.trigger as string,
    version: Number(r.version),
    parent: r.parent === null || r.parent === undefined ? null : Number(r.parent),
    fitRunId: (r.fitRunId as string | null) ?? null,
    manifest: toJson<Manifest>(r.entries),
    size: Number(r.size),
    checksum: r.checksum as string,
    createdAt: toDate(r.createdAt),
    collectedAt: r.collectedAt === null || r.collectedAt === undefined ? null : toDate(r.collectedAt),
    schema: r.schema === null || r.schema === undefined ? 1 : Number(r.schema),
  };
}

// Locked (PostgreSQL) the alias rows serialise every alias move of one trigger.
const ALIASES = prepare((trigger: string) => storage.selectFrom("StateAlias").select(["name", "version", "pinned"]).where("trigger", "=", trigger).orderBy("name"));
const ALIASES_LOCKED = prepare((trigger: string) => storage.selectFrom("StateAlias").select(["name", "version", "pinned"]).where("trigger", "=", trigger).orderBy("name").forUpdate());

export function* readAliases(trigger: string, provider?: Provider): Query<Aliases | null> {
  const rows = yield* (provider === "postgresql" ? ALIASES_LOCKED : ALIASES).all(trigger);
  const active = rows.find((r) => r.name === "active");
  const latest = rows.find((r) => r.name === "latest");
  if (!active || !latest) return null;
  return { active: Number(active.version), latest: Number(latest.version), pinned: active.pinned === true || active.pinned === 1 };
}

const VERSION = prepare((trigger: string, version: number) => storage.selectFrom("StateVersion").selectAll().where("trigger", "=", trigger).where("version", "=", version));

export function* readVersion(trigger: string, version: number): Query<VersionInfo | undefined> {
  const r = yield* VERSION.first(trigger, version);
  return r ? rowToVersion(r) : undefined;
}

/** The blobs of one or many patches, in one multi-row INSERT (blobs are shared by checksum). */
export function* insertBlobs(patches: EncodedPatch | readonly EncodedPatch[], now: Date, provider: Provider): Query<void> {
  // Shared with other commits, exclusive with the state GC (see state-gc.ts).
  yield* lockBlobsShared(provider);
  const rows = new Map<string, [string, string, number, Buffer, Date]>();
  for (const patch of Array.isArray(patches) ? patches : [patches]) {
    for (const value of Object.values(patch as EncodedPatch)) {
      if (!value || rows.has(value.checksum)) continue;
      rows.set(value.checksum, [value.checksum, value.kind, value.bytes.byteLength, Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength), now]);
    }
  }
  yield* insertRows("StateBlob", ["checksum", "kind", "size", "bytes", "createdAt"], [...rows.values()], { on: ["checksum"] });
}

export function* insertVersion(v: Omit<VersionInfo, "size" | "checksum" | "collectedAt">): Query<VersionInfo> {
  const size = manifestSize(v.manifest);
  const checksum = manifestChecksum(v.manifest);
  yield* execute(
    storage.insertInto("StateVersion").values({
      trigger: v.trigger, version: v.version, parent: v.parent, fitRunId: v.fitRunId, entries: JSON.stringify(v.manifest), size, checksum, createdAt: v.createdAt, schema: v.schema,
    }),
  );
  return { ...v, size, checksum, collectedAt: null };
}

export interface AliasMove {
  trigger: string;
  alias: "active" | "latest" | "candidate";
  from: number | null;
  /** Null clears the alias (only `candidate` may be cleared: an abort). */
  to: number | null;
  actor: string;
  reason?: string | null;
  pinned?: boolean;
  at: Date;
}

/** The only way an alias moves: update the pointer and append the event, in the caller's transaction. */
export function* moveAlias(move: AliasMove): Query<void> {
  if (move.to === null) {
    if (move.alias !== "candidate") throw new Error(`alias ${move.alias} cannot be cleared`);
    yield* execute(storage.deleteFrom("StateAlias").where("trigger", "=", move.trigger).where("name", "=", move.alias));
  } else if (move.from === null) {
    yield* execute(storage.insertInto("StateAlias").values({ trigger: move.trigger, name: move.alias, version: move.to, pinned: move.pinned ?? false, updatedAt: move.at }));
  } else {
    yield* execute(storage.updateTable("StateAlias").set({ version: move.to, pinned: move.pinned ?? false, updatedAt: move.at }).where("trigger", "=", move.trigger).where("name", "=", move.alias));
  }
  yield* execute(
    storage.insertInto("AliasEvent").values({
      id: newId(move.at.getTime()), trigger: move.trigger, alias: move.alias, fromVersion: move.from, toVersion: move.to, actor: move.actor, reason: move.reason ?? null, createdAt: move.at,
    }),
  );
}

/** Loading a collected version's values is a clear conflict, not a missing-blob crash. */
export function assertNotCollected(info: Pick<VersionInfo, "trigger" | "version" | "collectedAt">): void {
  if (info.collectedAt) {
    throw new ConflictError(`state version ${info.version} of ${info.trigger} was garbage-collected on ${info.collectedAt.toISOString()} (trigger retention.keepVersions): its manifest is kept, its values are gone`);
  }
}

/**
 * Loads and decodes state versions, caching decoded values by blob checksum (versions share
 * unchanged values) and manifests by version.
 */
export class StateStore {
  private readonly values = new Map<string, unknown>();
  private readonly manifests = new Map<string, VersionInfo>();

  constructor(private readonly db: Database) {}

  async version(trigger: string, version: number): Promise<VersionInfo> {
    const cacheKey = `${trigger}@${version}`;
    const cached = this.manifests.get(cacheKey);
    if (cached) return cached;
    const info = await this.db.read(() => readVersion(trigger, version));
    if (!info) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
    this.manifests.set(cacheKey, info);
    return info;
  }

  /** Reads the manifests and blobs of many versions in two queries (a burst of commits elsewhere). */
  async preload(versions: readonly { trigger: string; version: number }[]): Promise<void> {
    const unknown = versions.filter((v) => !this.manifests.has(`${v.trigger}@${v.version}`));
    if (unknown.length) {
      const rows = await this.db.read(() =>
        selectAll(storage.selectFrom("StateVersion").selectAll().where((eb) => eb.or(unknown.map((v) => eb.and([eb("trigger", "=", v.trigger), eb("version", "=", v.version)]))))),
      );
      for (const r of rows) {
        const info = rowToVersion(r);
        this.manifests.set(`${info.trigger}@${info.version}`, info);
      }
    }
    const missing = new Set<string>();
    for (const v of versions) {
      const info = this.manifests.get(`${v.trigger}@${v.version}`);
      for (const e of Object.values(info?.manifest ?? {})) if (!this.values.has(e.checksum)) missing.add(e.checksum);
    }
    if (missing.size) await this.loadBlobs([...missing]);
  }

  private async loadBlobs(checksums: string[]): Promise<void> {
    const rows = await this.db.read(() => selectAll(storage.selectFrom("StateBlob").select(["checksum", "kind", "bytes"]).where("checksum", "in", checksums)));
    for (const row of rows) this.values.set(row.checksum, decodeValue(row.kind as BlobKind, toBuffer(row.bytes), row.checksum));
  }

  async load(trigger: string, version: number): Promise<{ info: VersionInfo; state: State }> {
    const info = await this.version(trigger, version);
    assertNotCollected(info);
    const missing = Object.values(info.manifest).filter((e) => !this.values.has(e.checksum)).map((e) => e.checksum);
    if (missing.length) await this.loadBlobs(missing);
    const state: State = {};
    for (const [key, entry] of Object.entries(info.manifest)) {
      if (!this.values.has(entry.checksum)) throw new Error(`State blob ${entry.checksum.slice(0, 12)} of ${trigger}@${version} is missing`);
      state[key] = this.values.get(entry.checksum) as State[string];
    }
    return { info, state };
  }

  /**
   * The state after `patch`, in memory: what loading the version the patch makes will give
   * (its values decoded once, through this cache). The next batch of a chain fits on it.
   */
  applied(state: State, patch: EncodedPatch): State {
    const next: State = { ...state };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) {
        delete next[key];
        continue;
      }
      let decoded = this.values.get(value.checksum);
      if (decoded === undefined) {
        decoded = decodeValue(value.kind, value.bytes, value.checksum, false);
        this.values.set(value.checksum, decoded);
      }
      next[key] = decoded as State[string];
    }
    return next;
  }

  /** Seeds the cache with values a fit just produced, so the commit needs no read-back. */
  remember(info: VersionInfo, patch: EncodedPatch): void {
    for (const value of Object.values(patch)) {
      if (value && !this.values.has(value.checksum)) {
        this.values.set(value.checksum, decodeValue(value.kind, value.bytes, value.checksum, false));
      }
    }
    this.manifests.set(`${info.trigger}@${info.version}`, info);
  }

  /** Drops cached values no longer referenced by the given versions (bounded memory). */
  retain(keep: VersionInfo[]): void {
    const live = new Set<string>();
    for (const info of keep) for (const entry of Object.values(info.manifest)) live.add(entry.checksum);
    for (const checksum of this.values.keys()) if (!live.has(checksum)) this.values.delete(checksum);
    const keepKeys = new Set(keep.map((v) => `${v.trigger}@${v.version}`));
    for (const key of this.manifests.keys()) if (!keepKeys.has(key)) this.manifests.delete(key);
  }
}
