// `motion api-keys create`: an API key for scripts, without a browser. The key is made and
// audited by the same function the API's apiKeys.create uses (only its SHA-256 is stored);
// it is printed once, alone on stdout, so `KEY=$(motion api-keys create --role labeler)` works.
import os from "node:os";
import { openDatabase } from "@motion/db";
import { Identity } from "@motion/engine";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** `30d`, `12h`, `90m`, `2w`, `1y` → milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})([mhdwy])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 ? ms : null;
}

export const API_KEYS_USAGE = "usage: motion api-keys create --role viewer|labeler|admin [--name <name>] [--expires-in <n>m|h|d|w|y] [--json]";

export interface ApiKeysOptions {
  databaseUrl: string;
  role?: string;
  name?: string;
  expiresIn?: string;
  json?: boolean;
}

/** Returns the exit code: 0 created, 2 bad usage, 1 refused (e.g. the name is taken). */
export async function apiKeysCommand(args: string[], options: ApiKeysOptions): Promise<number> {
  const { ROLES, MAX_API_KEY_LIFETIME_MS, apiKeyNameSchema, createApiKey, ApiKeyNameTaken } = await import("@motion/api");
  if (args[0] !== "create" || !options.role) return usage();
  if (!(ROLES as readonly string[]).includes(options.role)) return usage(`--role must be one of ${ROLES.join(", ")}`);
  const role = options.role as (typeof ROLES)[number];
  const at = new Date();
  const name = apiKeyNameSchema.safeParse(options.name ?? `${role} key ${at.toISOString().slice(0, 19).replace(/:/g, "-")}`);
  if (!name.success) return usage(`--name: ${name.error.issues[0]?.message}`);
  let expiresAt: Date | null = null;
  if (options.expiresIn !== undefined) {
    const ms = parseDuration(options.expiresIn);
    if (ms === null) return usage("--expires-in: a whole number and a unit, e.g. 30d, 12h, 90m, 2w, 1y");
    if (ms > MAX_API_KEY_LIFETIME_MS) return usage("--expires-in: at most 10 years");
    expiresAt = new Date(at.getTime() + ms);
  }
  const db = await openDatabase({ url: options.databaseUrl });
  try {
    // Not owned by a user (like keys made before owners existed): its role is its own.
    const created = await createApiKey(new Identity(db).apiKeys, { name: name.data, role, createdBy: `cli:${os.userInfo().username}`, ownerId: null, expiresAt });
    const described = `API key "${created.name}" (${created.role}, id ${created.id}, prefix ${created.prefix}, ${created.expiresAt ? `expires ${created.expiresAt.toISOString()}` : "never expires"})`;
    if (options.json) {
      console.log(JSON.stringify({ id: created.id, name: created.name, role: created.role, prefix: created.prefix, expiresAt: created.expiresAt, key: created.key }));
    } else {
      console.log(created.key);
    }
    console.error(`created ${described}. The key is shown only this once: keep it now. Send it as Authorization: Bearer <key>.`);
    return 0;
  } catch (error) {
    if (error instanceof ApiKeyNameTaken) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

function usage(problem?: string): number {
  console.error(problem ? `${problem}\n${API_KEYS_USAGE}` : API_KEYS_USAGE);
  return 2;
}
