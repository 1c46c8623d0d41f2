// What Motion reads and enforces in better-auth's request bodies before better-auth sees them:
// the account a sign-in names (for the per-account limit), every other session ended when a
// password changes, and bounded profile fields. Bodies are read the ways better-auth reads them
// (JSON, form-encoded, multipart), so no encoding slips past a rule; each body is read once.
import { MAX_NAME_LENGTH } from "../lib/common.ts";

export type AuthBodyError = { status: 400 | 415; code: string; message: string };
type Fields = Record<string, unknown>;

/** Longest profile image URL or redirect target. */
export const MAX_URL_LENGTH = 2_048;

/** What `readAuthFields` made of a body. */
export type AuthFields = Fields | null | AuthBodyError;

export const isAuthBodyError = (v: unknown): v is AuthBodyError => typeof v === "object" && v !== null && "status" in v && "code" in v;

/** The body's fields; `null` when it is not an object (better-auth answers that itself), an error when it cannot be read for certain. */
export async function readAuthFields(contentType: string | null, body: ArrayBuffer | null): Promise<AuthFields> {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  const text = () => new TextDecoder().decode(body ?? new ArrayBuffer(0));
  try {
    if (type === "" || type === "application/json" || type.endsWith("+json")) {
      const value: unknown = JSON.parse(text());
      return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Fields) : null;
    }
    if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
      const form = type === "multipart/form-data" ? await new Response(body, { headers: { "content-type": contentType! } }).formData() : new URLSearchParams(text());
      const fields: Fields = {};
      for (const name of new Set(form.keys())) {
        const values = form.getAll(name);
        // Which of two values better-auth would take is its business: a rule must not guess.
        if (values.length > 1) return { status: 400, code: "BAD_REQUEST", message: `name ${name} once` };
        fields[name] = values[0];
      }
      return fields;
    }
  } catch {
    return null;
  }
  return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send a JSON or form-encoded body" };
}

/** The account a sign-in names: the per-account limit must count every encoding. */
export function signInAccount(fields: AuthFields): string | null | AuthBodyError {
  if (isAuthBodyError(fields)) return fields;
  return typeof fields?.email === "string" ? fields.email : null;
}

/**
 * Motion's rules for an auth endpoint's body: an error, a replacement JSON body, or `null` (send
 * it as it came).
 * - `/change-password` always ends the user's other sessions: a stolen cookie must not outlive
 *   the password it was stolen with (better-auth keeps them unless asked).
 * - `/update-user` keeps the name and image within bounds (they show in every admin's users list).
 */
export function applyAuthBodyRules(route: string, fields: AuthFields): AuthBodyError | string | null {
  if (isAuthBodyError(fields)) return route === "/change-password" || route === "/update-user" ? fields : null;
  if (!fields) return null;
  const badUrl = redirectFieldError(fields);
  if (badUrl) return badUrl;
  if (route !== "/change-password" && route !== "/update-user") return null;
  if (route === "/change-password") return JSON.stringify({ ...fields, revokeOtherSessions: true });
  if (fields.name !== undefined && (typeof fields.name !== "string" || fields.name.trim().length === 0 || fields.name.length > MAX_NAME_LENGTH)) {
    return { status: 400, code: "BAD_REQUEST", message: `name: 1 to ${MAX_NAME_LENGTH} characters` };
  }
  if (fields.image !== undefined && fields.image !== null && (typeof fields.image !== "string" || fields.image.length > MAX_URL_LENGTH)) {
    return { status: 400, code: "BAD_REQUEST", message: `image: a URL of at most ${MAX_URL_LENGTH} characters` };
  }
  return null;
}

/** Fields better-auth may redirect to or echo into a header. */
export const REDIRECT_FIELDS = ["callbackURL", "newUserCallbackURL", "errorCallbackURL", "redirectTo"] as const;

/**
 * A redirect target with control characters (a newline) is never a URL a console sends: better-auth
 * would write it into a header and fail with a 500. Refused with its name instead.
 */
export function redirectFieldError(fields: Record<string, unknown> | URLSearchParams): AuthBodyError | null {
  for (const name of REDIRECT_FIELDS) {
    const value = fields instanceof URLSearchParams ? fields.get(name) : fields[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || value.length > MAX_URL_LENGTH || hasControlCharacter(value)) {
      return { status: 400, code: "BAD_REQUEST", message: `${name}: a URL of at most ${MAX_URL_LENGTH} characters, without control characters` };
    }
  }
  return null;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
