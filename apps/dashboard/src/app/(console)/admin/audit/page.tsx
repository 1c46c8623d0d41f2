import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { getMe } from "@/features/auth/server";
import { AuditView } from "@/features/admin/components/audit-view";
import { auditListInput, parseAuditFilter } from "@/features/admin/audit";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if ((await getMe())?.role !== "admin") return null;
  const filter = parseAuditFilter(await searchParams);
  const trpc = await serverTRPC();
  await getQueryClient().prefetchInfiniteQuery(trpc.audit.list.infiniteQueryOptions(auditListInput(filter), { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  return (
    <HydrateClient>
      <AuditView />
    </HydrateClient>
  );
}
