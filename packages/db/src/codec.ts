/** Normalise values read by raw SQL: SQLite and PostgreSQL return different JS types. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "string") return new Date(/^\d+$/.test(value) ? Number(value) : value);
  throw new TypeError(`Not a timestamp: ${String(value)}`);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

export function toJson<T = unknown>(value: unknown): T {
  if (typeof value === "string") return JSON.parse(value) as T;
  return value as T;
}

export function toJsonOrNull<T = unknown>(value: unknown): T | null {
  return value === null || value === undefined ? null : toJson<T>(value);
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === "t" || value === "true";
}

export function toNum(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

export function toNumOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNum(value);
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError("Not a byte array");
}

/**
 * A JSON column read by raw SQL: SQLite hands back the text, PostgreSQL (jsonb) the parsed
 * value — so a JSON string must not be parsed twice on PostgreSQL.
 */
export function decodeJson<T = unknown>(provider: "sqlite" | "postgresql", value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (provider === "postgresql") return value as T;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
