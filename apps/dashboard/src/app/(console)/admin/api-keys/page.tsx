import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { getMe } from "@/features/auth/server";
import { ApiKeysView } from "@/features/admin/components/api-keys-view";

export const metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  if ((await getMe())?.role !== "admin") return null;
  const trpc = await serverTRPC();
  await getQueryClient().prefetchQuery(trpc.apiKeys.list.queryOptions());
  return (
    <HydrateClient>
      <ApiKeysView />
    </HydrateClient>
  );
}
