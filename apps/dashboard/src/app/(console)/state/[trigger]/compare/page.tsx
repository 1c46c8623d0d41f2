import { notFound } from "next/navigation";
import { PageHeader } from "@/components/app-shell";
import { TriggerSwitcher } from "@/components/trigger-switcher";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";
import { CompareView } from "@/features/state/components/compare-view";

export async function generateMetadata({ params }: { params: Promise<{ trigger: string }> }) {
  return { title: `Compare · ${decodeURIComponent((await params).trigger)}` };
}

export default async function ComparePage({ params }: { params: Promise<{ trigger: string }> }) {
  const trigger = decodeURIComponent((await params).trigger);
  const names = runtime().motion.app.triggers.map((t) => t.name);
  if (!names.includes(trigger)) notFound();
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.triggers.get.queryOptions({ trigger })), qc.prefetchQuery(trpc.state.outcomes.queryOptions({ trigger, limit: 200 }))]);
  return (
    <>
      <PageHeader
        title="Compare versions"
        description="Two versions of this trigger's state side by side: outcomes with 95% intervals, quality over versions, and what differs in the state. The pair is in the URL."
        actions={<TriggerSwitcher base="/state" current={trigger} triggers={names} />}
      />
      <HydrateClient>
        <CompareView trigger={trigger} />
      </HydrateClient>
    </>
  );
}
