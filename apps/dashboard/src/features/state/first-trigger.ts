import { redirect } from "next/navigation";
import { runtime } from "@/lib/runtime";

/** /state and /review without a trigger go to the app's first trigger (optionally one with infer). */
export function redirectToFirstTrigger(base: "/state" | "/review"): never {
  const triggers = runtime().motion.app.triggers;
  const pick = base === "/review" ? (triggers.find((t) => t.routes.some((r) => r.infer)) ?? triggers[0]) : triggers[0];
  if (!pick) redirect("/");
  redirect(`${base}/${encodeURIComponent(pick.name)}`);
}
