import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { getMe } from "@/features/auth/server";
import { ADMIN_PAGE, nextPage } from "@/lib/lists";
import { UsersView } from "@/features/admin/components/users-view";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  // The admin layout shows the 403 page to everyone else; don't ask the API for them.
  if ((await getMe())?.role !== "admin") return null;
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.users.list.infiniteQueryOptions(ADMIN_PAGE, { getNextPageParam: nextPage }));
  return (
    <HydrateClient>
      <UsersView />
    </HydrateClient>
  );
}
