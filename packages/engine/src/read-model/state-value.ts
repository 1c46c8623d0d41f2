// The full stored bytes of one state key of a version (or of the version an alias points at),
// for the API's `GET /api/state/<trigger>/<version | active | latest>/<key>`.
import { selectFirst, storage, toBuffer, toJson, type Query } from "@motion/db";

export type StateValueRead =
  | { found: true; version: number; entry: { checksum: string; kind: string; size: number }; bytes: Buffer | null }
  | { found: false; collected: boolean; message: string };

export function* readStateValue(trigger: string, at: number | "active" | "latest", key: string): Query<StateValueRead> {
  let version: number;
  if (typeof at === "number") version = at;
  else {
    const alias = yield* selectFirst(storage.selectFrom("StateAlias").select("version").where("trigger", "=", trigger).where("name", "=", at));
    if (!alias) return { found: false, collected: false, message: `trigger ${trigger} has no ${at} version yet` };
    version = Number(alias.version);
  }
  const v = yield* selectFirst(storage.selectFrom("StateVersion").select(["entries", "collectedAt"]).where("trigger", "=", trigger).where("version", "=", version));
  if (!v) return { found: false, collected: false, message: `trigger ${trigger} has no state version ${version}` };
  if (v.collectedAt) return { found: false, collected: true, message: `state version ${version} of ${trigger} was garbage-collected (trigger retention.keepVersions): its values are gone` };
  const entry = toJson<Record<string, { checksum: string; kind: string; size: number }>>(v.entries)[key];
  if (!entry) return { found: false, collected: false, message: `state version ${version} of ${trigger} has no key ${JSON.stringify(key)}` };
  const blob = yield* selectFirst(storage.selectFrom("StateBlob").select("bytes").where("checksum", "=", entry.checksum));
  return { found: true, version, entry, bytes: blob ? toBuffer(blob.bytes) : null };
}
