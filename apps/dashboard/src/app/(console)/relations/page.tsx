import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { RelationsList } from "@/features/relations/components/relations-list";

export const metadata = { title: "Relations" };

export default async function RelationsPage() {
  const trpc = await serverTRPC();
  await getQueryClient().prefetchQuery(trpc.relations.list.queryOptions());
  return (
    <>
      <PageHeader title="Relations" description="The app’s typed, append-only tables. Open one to browse its rows." />
      <HydrateClient>
        <RelationsList />
      </HydrateClient>
    </>
  );
}
