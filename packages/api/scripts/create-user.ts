// `npm run create-admin -w @motion/api -- --email you@example.com --password '…'`
// `npm run create-user -w @motion/api -- --email a@b.c --password '…' --role labeler [--name A]`
// Uses MOTION_DATABASE_URL (default: the embedded SQLite file), applying migrations first.
import { parseArgs } from "node:util";
import { openDatabase, redactUrl } from "@motion/db";
import { createAuth, createUser, ensureAdmin } from "../src/auth.ts";
import { isRole } from "../src/principal.ts";

const { values } = parseArgs({
  options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" }, role: { type: "string", multiple: true } },
});
const role = values.role?.at(-1) ?? "viewer";
if (!values.email || !values.password || !isRole(role)) {
  console.error("usage: create-user --email <email> --password <8-128 chars> [--name <name>] [--role viewer|labeler|admin]");
  process.exit(2);
}
const db = await openDatabase({ url: process.env.MOTION_DATABASE_URL });
try {
  // The secret only signs cookies, which this command never issues.
  const auth = createAuth({ db, baseURL: process.env.MOTION_BASE_URL ?? "http://localhost:3000", secret: process.env.BETTER_AUTH_SECRET ?? "cli-only-secret-not-used-for-signing-0000" });
  if (role === "admin") {
    const result = await ensureAdmin(auth, db, { email: values.email, password: values.password, name: values.name });
    console.log(`${result.user.email}: ${result.created ? "created as admin" : result.promoted ? "promoted to admin" : "already an admin"} (${redactUrl(db.url)})`);
  } else {
    const user = await createUser(auth, { email: values.email, password: values.password, name: values.name, role });
    console.log(`${user.email}: created as ${user.role} (${redactUrl(db.url)})`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
