import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { getMe } from "@/features/auth/server";
import { ADMIN_PAGE, nextPage } from "@/lib/lists";
import { ApiKeysView } from "@/features/admin/components/api-keys-view";

export const metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  if ((await getMe())?.role !== "admin") return null;
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.apiKeys.list.infiniteQueryOptions(ADMIN_PAGE, { getNextPageParam: nextPage }));
  return (
    <HydrateClient>
      <ApiKeysView />
    </HydrateClient>
  );
}
