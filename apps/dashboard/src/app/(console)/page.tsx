import { PageHeader } from "@/components/app-shell";
import { HydrateClient, serverTRPC, getQueryClient } from "@/lib/trpc/server";
import { WHOLE_LIST } from "@/lib/lists";
import { OverviewView } from "@/features/overview/components/overview-view";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([
    // Then the labels waiting per trigger: the overview's lists render complete on first paint.
    qc.fetchQuery(trpc.triggers.list.queryOptions(WHOLE_LIST)).then((page) =>
      Promise.all(page.items.map((t) => qc.prefetchQuery(trpc.review.progress.queryOptions({ trigger: t.name })))),
    ).catch(() => undefined),
    qc.prefetchQuery(trpc.relations.list.queryOptions(WHOLE_LIST)),
    qc.prefetchQuery(trpc.fits.list.queryOptions({ limit: 5 })),
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
