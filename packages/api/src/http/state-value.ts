// `GET /api/state/<trigger>/<version | active | latest>/<key>`: the full value of one state key
// as bytes — a JSON value as its JSON text, a binary value (typed array, Buffer) as its raw
// little-endian bytes — for viewers and up (the same tier as `state.get`, which previews the
// same values). A plain HTTP route, not a procedure: binary bodies do not fit tRPC's JSON.
import { checksumOf, elementCount, type Motion } from "@motion/engine";
import { allows, type Principal } from "../principal.ts";

export const STATE_VALUE_PATH = "/api/state/";

function json(status: number, code: string, message: string, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { "content-type": "application/json", ...extra } });
}

/** `filename*` safe for any key: RFC 5987 percent-encoding. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\w.-]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function stateValueResponse(motion: Motion, request: { method: string; pathname: string; ifNoneMatch?: string | null }, resolvePrincipal: () => Promise<Principal | null>): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return json(405, "METHOD_NOT_SUPPORTED", "state values are read with GET", { allow: "GET, HEAD" });
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

  const found = await motion.stateValue(trigger, isAlias ? (versionPart as "active" | "latest") : Number(versionPart), key);
  if (!found.found) return json(found.collected ? 409 : 404, found.collected ? "CONFLICT" : "NOT_FOUND", found.message);
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
  if (binary) headers["x-motion-value-length"] = String(elementCount(entry.kind, bytes.byteLength));
  // The ETag is the value's checksum (SHA-256 of its kind and bytes): a client that holds it
  // already gets 304 and no body — state values can be hundreds of megabytes.
  if (request.ifNoneMatch && request.ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === headers.etag || tag.trim() === "*")) {
    return new Response(null, { status: 304, headers: { etag: headers.etag!, "x-motion-version": headers["x-motion-version"]! } });
  }
  return new Response(request.method === "HEAD" ? null : new Uint8Array(bytes), { status: 200, headers });
}
