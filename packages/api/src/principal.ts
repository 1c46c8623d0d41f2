/** Who is calling: a signed-in operator (session cookie) or a developer's API key (Bearer). */
export const ROLES = ["viewer", "labeler", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Every procedure declares one: `public` needs nothing, the others need at least that role. */
export const TIERS = ["public", "viewer", "labeler", "admin"] as const;
export type Tier = (typeof TIERS)[number];

export type Principal =
  | { kind: "user"; id: string; email: string; name: string; role: Role }
  /** `ownerId`: the user who created the key (null for keys from before owners were kept). */
  | { kind: "apiKey"; id: string; name: string; role: Role; ownerId: string | null };

const RANK: Record<Tier, number> = { public: 0, viewer: 1, labeler: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Unknown role strings (hand-edited rows) get the least privilege. */
export function toRole(value: unknown): Role {
  return isRole(value) ? value : "viewer";
}

export function allows(role: Role, tier: Tier): boolean {
  return RANK[role] >= RANK[tier];
}

/** The actor string recorded by the engine and the audit log. */
export function actorOf(principal: Principal): string {
  return principal.kind === "user" ? principal.email : `apikey:${principal.name}`;
}

/** The user behind a principal: the operator, or the owner of the key. */
export function userIdOf(principal: Principal): string | null {
  return principal.kind === "user" ? principal.id : principal.ownerId;
}

/** A stable id for locks and ownership: `user:<id>` or `apikey:<id>`. */
export function principalKey(principal: Principal): string {
  return principal.kind === "user" ? `user:${principal.id}` : `apikey:${principal.id}`;
}
