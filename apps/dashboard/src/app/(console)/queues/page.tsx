import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";
import { WHOLE_LIST, nextPage } from "@/lib/lists";
import { QueuesView } from "@/features/queues/components/queues-view";

export const metadata = { title: "Review queues" };

export default async function QueuesPage() {
  const triggers = runtime().motion.app.triggers.filter((t) => t.routes.some((r) => r.infer)).map((t) => t.name);
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.queues.list.infiniteQueryOptions({ mine: false, ...WHOLE_LIST }, { getNextPageParam: nextPage }));
  return (
    <>
      <PageHeader title="Review queues" description="Curated lists of inferences to label, fed by a filter or a seeded sample and assigned to labelers. Your queues come first." />
      <HydrateClient>
        <QueuesView triggers={triggers} />
      </HydrateClient>
    </>
  );
}
