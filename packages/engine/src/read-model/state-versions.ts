// The state versions operators browse: a trigger's versions newest first (with their fit, keys,
// aliases and state schema), and one version's entries with a bounded preview of each value.
import { selectAll, selectFirst, sql, storage, toDate, toJson, toNum, type Provider, type Query } from "@motion/db";
import { elementCount } from "../state.ts";

const PREVIEW_BYTES = 4_096;
const MAX_ENTRIES = 500;

interface ManifestEntry {
  checksum: string;
  kind: string;
  size: number;
}

export interface StateVersionItem {
  version: number;
  parent: number | null;
  fitRunId: string | null;
  fit: { id: string; route: string | null; rowCount: number | null } | null;
  size: number;
  checksum: string;
  keys: number;
  createdAt: Date;
  collectedAt: Date | null;
  /** The state schema version this state is in (the trigger's `stateSchema` when it was made). */
  schema: number;
  aliases: string[];
  pinned: boolean;
}

export interface StateEntryPreview {
  key: string;
  kind: string;
  size: number;
  checksum: string;
  binary: { type: string; length: number } | null;
  value: unknown;
  preview: string | null;
  truncated: boolean;
  summary: string;
}

export interface StateVersionDetail {
  trigger: string;
  version: number;
  parent: number | null;
  fitRunId: string | null;
  size: number;
  checksum: string;
  createdAt: Date;
  collectedAt: Date | null;
  schema: number;
  aliases: string[];
  pinned: boolean;
  totalKeys: number;
  entries: StateEntryPreview[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : toNum(v));
const date = (v: unknown) => (v === null || v === undefined ? null : toDate(v));

function* readAliasNames(trigger: string): Query<{ byVersion: Map<number, string[]>; pinned: boolean }> {
  const rows = yield* selectAll(storage.selectFrom("StateAlias").select(["name", "version", "pinned"]).where("trigger", "=", trigger));
  const byVersion = new Map<number, string[]>();
  for (const r of rows) {
    const v = Number(r.version);
    byVersion.set(v, [...(byVersion.get(v) ?? []), r.name].sort());
  }
  const active = rows.find((r) => r.name === "active");
  return { byVersion, pinned: active ? active.pinned === true || active.pinned === 1 : false };
}

/** Newest first, keyset on the version number below `cursor`; `limit + 1` rows tell if there is more. */
export function* listStateVersions(trigger: string, query: { cursor?: number | null; limit: number }): Query<{ items: StateVersionItem[]; nextCursor: number | null }> {
  const below = query.cursor !== undefined && query.cursor !== null;
  let q = storage.selectFrom("StateVersion as v").leftJoin("FitRun as f", "f.id", "v.fitRunId")
    .select(["v.version", "v.parent", "v.fitRunId", "v.size", "v.checksum", "v.entries", "v.createdAt", "v.collectedAt", "v.schema", "f.route as fitRoute", "f.rowCount as fitRowCount"])
    .where("v.trigger", "=", trigger);
  if (below) q = q.where("v.version", "<", query.cursor!);
  const rows = yield* selectAll(q.orderBy("v.version", "desc").limit(query.limit + 1));
  const { byVersion, pinned } = yield* readAliasNames(trigger);
  const items = rows.slice(0, query.limit).map((r): StateVersionItem => {
    const version = toNum(r.version);
    const names = byVersion.get(version) ?? [];
    return {
      version,
      parent: num(r.parent),
      fitRunId: r.fitRunId ?? null,
      fit: r.fitRunId ? { id: r.fitRunId, route: r.fitRoute ?? null, rowCount: num(r.fitRowCount) } : null,
      size: toNum(r.size),
      checksum: r.checksum,
      keys: Object.keys(toJson<Record<string, ManifestEntry>>(r.entries)).length,
      createdAt: toDate(r.createdAt),
      collectedAt: date(r.collectedAt),
      schema: num(r.schema) ?? 1,
      aliases: names,
      pinned: names.includes("active") && pinned,
    };
  });
  return { items, nextCursor: rows.length > query.limit ? items[items.length - 1]!.version : null };
}

function summarizeJson(value: unknown): string {
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null) return "null";
  if (typeof value === "object") return `object(${Object.keys(value).length} keys)`;
  return typeof value;
}

/** The first PREVIEW_BYTES of each blob (the databases name the function differently). */
function previews(provider: Provider, checksums: string[]) {
  const bytes = sql.ref("bytes");
  const head = provider === "postgresql" ? sql<unknown>`substring(${bytes} from 1 for ${sql.lit(PREVIEW_BYTES)})` : sql<unknown>`substr(${bytes}, 1, ${sql.lit(PREVIEW_BYTES)})`;
  return storage.selectFrom("StateBlob").select(["checksum", head.as("head")]).where("checksum", "in", checksums);
}

/**
 * One version's metadata and its first 500 keys (sorted) with a preview of each value: a JSON
 * value's first 4 KiB (parsed when whole), a binary value's type and length. Undefined: no such version.
 */
export function* readStateVersionDetail(trigger: string, version: number, provider: Provider): Query<StateVersionDetail | undefined> {
  const v = yield* selectFirst(storage.selectFrom("StateVersion").selectAll().where("trigger", "=", trigger).where("version", "=", version));
  if (!v) return undefined;
  const manifest = toJson<Record<string, ManifestEntry>>(v.entries);
  const keys = Object.keys(manifest).sort().slice(0, MAX_ENTRIES);
  const jsonChecksums = [...new Set(keys.map((k) => manifest[k]!).filter((e) => e.kind === "json").map((e) => e.checksum))];
  const heads = jsonChecksums.length ? yield* selectAll(previews(provider, jsonChecksums)) : [];
  const { byVersion, pinned } = yield* readAliasNames(trigger);
  const headByChecksum = new Map(heads.map((h) => [h.checksum, Buffer.from(h.head as Uint8Array).toString("utf8")]));
  const names = byVersion.get(version) ?? [];
  return {
    trigger,
    version,
    parent: num(v.parent),
    fitRunId: (v.fitRunId as string | null) ?? null,
    size: toNum(v.size),
    checksum: v.checksum as string,
    createdAt: toDate(v.createdAt),
    collectedAt: date(v.collectedAt),
    schema: num(v.schema) ?? 1,
    aliases: names,
    pinned: names.includes("active") && pinned,
    totalKeys: Object.keys(manifest).length,
    entries: keys.map((key): StateEntryPreview => {
      const e = manifest[key]!;
      if (e.kind !== "json") {
        const length = elementCount(e.kind, e.size);
        return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: { type: e.kind, length }, value: undefined, preview: null, truncated: false, summary: `${e.kind}[${length}]` };
      }
      const head = headByChecksum.get(e.checksum) ?? "";
      if (e.size <= PREVIEW_BYTES) {
        let value: unknown = null;
        try {
          value = JSON.parse(head);
        } catch {
          value = null;
        }
        return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: null, value, preview: head, truncated: false, summary: summarizeJson(value) };
      }
      // Cut at a character boundary: drop a trailing partial UTF-8 sequence.
      const preview = head.replace(/\uFFFD+$/, "");
      return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: null, value: undefined, preview, truncated: true, summary: `json (${e.size} bytes)` };
    }),
  };
}
