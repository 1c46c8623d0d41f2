import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { WHOLE_LIST } from "@/lib/lists";
import { RelationsList } from "@/features/relations/components/relations-list";

export const metadata = { title: "Relations" };

export default async function RelationsPage() {
  const trpc = await serverTRPC();
  await getQueryClient().prefetchQuery(trpc.relations.list.queryOptions(WHOLE_LIST));
  return (
    <>
      <PageHeader title="Relations" description="The app’s typed, append-only tables. Open one to browse its rows." />
      <HydrateClient>
        <RelationsList />
      </HydrateClient>
    </>
  );
}
