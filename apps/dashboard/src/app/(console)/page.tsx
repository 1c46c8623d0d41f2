import { PageHeader } from "@/components/app-shell";
import { HydrateClient, serverTRPC, getQueryClient } from "@/lib/trpc/server";
import { OverviewView } from "@/features/overview/components/overview-view";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.triggers.list.queryOptions()),
    qc.prefetchQuery(trpc.stats.overview.queryOptions({ minutes: 60 })),
    qc.prefetchQuery(trpc.drift.alerts.queryOptions()),
  ]);
  return (
    <>
      <PageHeader title="Overview" description="Every trigger of this app: what infer reads now, what fits are doing, and how fast." />
      <HydrateClient>
        <OverviewView />
      </HydrateClient>
    </>
  );
}
