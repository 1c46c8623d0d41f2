import { redirect } from "next/navigation";
import { runtime } from "@/lib/runtime";

/** /drift goes to the app's first relation. */
export default function DriftIndex() {
  const first = runtime().motion.app.relations[0];
  if (!first) redirect("/");
  redirect(`/drift/${encodeURIComponent(first.name)}`);
}
