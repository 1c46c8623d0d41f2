import { mkdirSync } from "node:fs";
import { request, type FullConfig } from "@playwright/test";
import { AUTH_DIR, USERS, trpc } from "./support";

/** Signs in as the admin through the API and creates the labeler and viewer the specs use. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]!.use.baseURL!;
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post("/api/auth/sign-in/email", { data: USERS.admin, headers: { origin: baseURL } });
  if (!res.ok()) throw new Error(`admin sign-in failed: ${res.status()} ${await res.text()}`);
  for (const role of ["labeler", "viewer"] as const) {
    const r = await trpc(ctx, "mutation", "users.create", { ...USERS[role], role, name: role });
    if (r.error && !/exist/i.test(r.error.message)) throw new Error(`users.create ${role}: ${r.error.message}`);
  }
  // Sessions for specs that start signed in (sign-in is rate limited per IP by better-auth).
  mkdirSync(AUTH_DIR, { recursive: true });
  await ctx.storageState({ path: `${AUTH_DIR}/admin.json` });
  await ctx.dispose();
  const labeler = await request.newContext({ baseURL });
  // A script signs in without an Origin header (not a browser, so no cross-site risk).
  const r = await labeler.post("/api/auth/sign-in/email", { data: USERS.labeler });
  if (!r.ok()) throw new Error(`labeler sign-in failed: ${r.status()}`);
  await labeler.storageState({ path: `${AUTH_DIR}/labeler.json` });
  await labeler.dispose();
}
