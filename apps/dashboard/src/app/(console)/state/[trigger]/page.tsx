import Link from "next/link";
import { notFound } from "next/navigation";
import { GitCompare } from "lucide-react";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/app-shell";
import { TriggerSwitcher } from "@/components/trigger-switcher";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";
import { StateView } from "@/features/state/components/state-view";

export async function generateMetadata({ params }: { params: Promise<{ trigger: string }> }) {
  return { title: `State · ${decodeURIComponent((await params).trigger)}` };
}

export default async function StatePage({ params }: { params: Promise<{ trigger: string }> }) {
  const trigger = decodeURIComponent((await params).trigger);
  const names = runtime().motion.app.triggers.map((t) => t.name);
  if (!names.includes(trigger)) notFound();
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.triggers.get.queryOptions({ trigger })),
    qc.prefetchInfiniteQuery(trpc.state.versions.infiniteQueryOptions({ trigger }, { getNextPageParam: (last) => last.nextCursor ?? undefined })),
    qc.prefetchQuery(trpc.state.aliasHistory.queryOptions({ trigger })),
  ]);
  return (
    <>
      <PageHeader
        title="State"
        description="Every version this trigger’s state went through, what produced it, and where its aliases point."
        actions={
          <div className="flex items-center gap-2">
            <Button asChild variant="outline" size="sm">
              <Link href={`/state/${encodeURIComponent(trigger)}/compare`} data-testid="compare-link"><GitCompare /> Compare versions</Link>
            </Button>
            <TriggerSwitcher base="/state" current={trigger} triggers={names} />
          </div>
        }
      />
      <HydrateClient>
        <StateView trigger={trigger} />
      </HydrateClient>
    </>
  );
}
