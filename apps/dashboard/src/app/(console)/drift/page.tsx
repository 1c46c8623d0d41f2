import { redirect } from "next/navigation";
import { runtime } from "@/lib/runtime";

/** /drift goes to the relation that needs a look: open flags first, then one with partitions, then the first. */
export default async function DriftIndex() {
  const { motion } = runtime();
  const summaries = await motion.drift.relations();
  const pick =
    summaries.find((s) => s.open > 0) ?? summaries.find((s) => s.profiled && s.partitions > 0) ?? summaries[0];
  if (!pick) redirect("/");
  redirect(`/drift/${encodeURIComponent(pick.relation)}`);
}
