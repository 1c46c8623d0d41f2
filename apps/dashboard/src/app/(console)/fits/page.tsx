import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { FitsView } from "@/features/fits/components/fits-view";
import { fitsListInput, parseFitsFilter } from "@/features/fits/filters";

export const metadata = { title: "Fits" };

export default async function FitsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filter = parseFitsFilter(await searchParams);
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.fits.list.infiniteQueryOptions(fitsListInput(filter), { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  return (
    <>
      <PageHeader title="Fits" description="Background fit runs: what they consumed, how long they took and which version they produced. Scheduled routes show their next and last run." />
      <HydrateClient>
        <FitsView />
      </HydrateClient>
    </>
  );
}
