// `GET /api/state/<trigger>/<version | active | latest>/<key>`: the full value of one state key
// as bytes — a JSON value as its JSON text, a binary value (typed array, Buffer) as its raw
// little-endian bytes — for viewers and up (the same tier as `state.get`, which previews the
// same values). A plain HTTP route, not a procedure: binary bodies do not fit tRPC's JSON.
import { get, toBuffer, toJson } from "@motion/db";
import { checksumOf, type Motion } from "@motion/engine";
import { allows, type Principal } from "../principal.ts";

export const STATE_VALUE_PATH = "/api/state/";

const ELEMENT_BYTES: Record<string, number> = { f32: 4, f64: 8, i8: 1, i16: 2, i32: 4, u8: 1, u16: 2, u32: 4, buffer: 1 };

function json(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { "content-type": "application/json" } });
}

/** `filename*` safe for any key: RFC 5987 percent-encoding. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\w.-]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function stateValueResponse(motion: Motion, request: { method: string; pathname: string }, resolvePrincipal: () => Promise<Principal | null>): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return json(405, "METHOD_NOT_SUPPORTED", "state values are read with GET");
  const principal = await resolvePrincipal();
  if (!principal) return json(401, "UNAUTHORIZED", "sign in or send Authorization: Bearer <api key>");
  if (!allows(principal.role, "viewer")) return json(403, "FORBIDDEN", `requires the viewer role (you are ${principal.role})`);

  const parts = request.pathname.slice(STATE_VALUE_PATH.length).split("/");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    return json(400, "BAD_REQUEST", "expected /api/state/<trigger>/<version | active | latest>/<key> (percent-encode a / inside the key as %2F)");
  }
  let trigger: string, versionPart: string, key: string;
  try {
    [trigger, versionPart, key] = parts.map(decodeURIComponent) as [string, string, string];
  } catch {
    return json(400, "BAD_REQUEST", "malformed percent-encoding in the path");
  }
  if (!motion.app.trigger(trigger)) return json(404, "NOT_FOUND", `unknown trigger ${trigger}`);
  const isAlias = versionPart === "active" || versionPart === "latest";
  if (!isAlias && !/^\d{1,10}$/.test(versionPart)) return json(400, "BAD_REQUEST", `version must be a number, "active" or "latest" (got ${versionPart})`);

  const found = await motion.db.read(function* () {
    let version = Number(versionPart);
    if (isAlias) {
      const alias = yield* get<{ version: unknown }>(`SELECT "version" FROM "StateAlias" WHERE "trigger" = ? AND "name" = ?`, [trigger, versionPart]);
      if (!alias) return { error: `trigger ${trigger} has no ${versionPart} version yet` };
      version = Number(alias.version);
    }
    const v = yield* get<{ entries: unknown; collectedAt: unknown }>(`SELECT "entries", "collectedAt" FROM "StateVersion" WHERE "trigger" = ? AND "version" = ?`, [trigger, version]);
    if (!v) return { error: `trigger ${trigger} has no state version ${version}` };
    if (v.collectedAt) return { collected: `state version ${version} of ${trigger} was garbage-collected (trigger retention.keepVersions): its values are gone` };
    const entry = toJson<Record<string, { checksum: string; kind: string; size: number }>>(v.entries)[key];
    if (!entry) return { error: `state version ${version} of ${trigger} has no key ${JSON.stringify(key)}` };
    const blob = yield* get<{ bytes: unknown }>(`SELECT "bytes" FROM "StateBlob" WHERE "checksum" = ?`, [entry.checksum]);
    return { version, entry, bytes: blob ? toBuffer(blob.bytes) : null };
  });
  if ("collected" in found) return json(409, "CONFLICT", found.collected!);
  if ("error" in found) return json(404, "NOT_FOUND", found.error!);
  const { version, entry, bytes } = found;
  // A missing or altered blob is a damaged database, never something to hand out.
  if (!bytes || checksumOf(entry.kind as Parameters<typeof checksumOf>[0], bytes) !== entry.checksum) {
    motion.log.error({ trigger, version, key, checksum: entry.checksum }, "api: state blob missing or corrupted");
    return json(500, "INTERNAL_SERVER_ERROR", "the stored value is missing or corrupted");
  }
  const binary = entry.kind !== "json";
  const headers: Record<string, string> = {
    "content-type": binary ? "application/octet-stream" : "application/json; charset=utf-8",
    "content-length": String(bytes.byteLength),
    "content-disposition": attachment(`${trigger}-v${version}-${key}.${binary ? "bin" : "json"}`),
    etag: `"${entry.checksum}"`,
    "x-motion-version": String(version),
    "x-motion-value-kind": entry.kind,
  };
  if (binary) headers["x-motion-value-length"] = String(Math.floor(bytes.byteLength / (ELEMENT_BYTES[entry.kind] ?? 1)));
  return new Response(request.method === "HEAD" ? null : new Uint8Array(bytes), { status: 200, headers });
}
