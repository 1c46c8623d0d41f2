// The console-page benches call procedures as the console does: through the API caller, with
// an admin's session cookie (signed in over the real auth handler, not a faked principal).
import type { Motion } from "@motion/engine";
import { createMotionApi } from "@motion/api";
import { BENCH_SECRET } from "./fixtures.ts";

export async function adminCaller(motion: Motion) {
  const origin = "http://127.0.0.1";
  const api = createMotionApi({ motion, baseURL: origin, secret: BENCH_SECRET });
  const admin = { email: "bench@motion.local", password: "bench-password" };
  await api.ensureAdmin(admin);
  const signIn = await api.handle(new Request(`${origin}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify(admin) }));
  const cookie = (signIn.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  if (!signIn.ok || !cookie) throw new Error(`bench sign-in failed: ${signIn.status}`);
  return api.createCaller(new Headers({ cookie }));
}
