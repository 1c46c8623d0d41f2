import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { InferencesView } from "@/features/inferences/components/inferences-view";
import { inferenceListInput, parseInferenceFilter } from "@/features/inferences/filters";

export const metadata = { title: "Inferences" };

export default async function InferencesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filter = parseInferenceFilter(await searchParams);
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.inferences.list.infiniteQueryOptions(inferenceListInput(filter), { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  return (
    <>
      <PageHeader title="Inferences" description="Every answer served: search the questions and answers, filter by label, labeler, latency and errors. The view is in the URL: copy it to share." />
      <HydrateClient>
        <InferencesView />
      </HydrateClient>
    </>
  );
}
