import Link from "next/link";
import { ChevronLeft } from "lucide-react";
import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { WHOLE_LIST } from "@/lib/lists";
import { RowsView } from "@/features/relations/components/rows-view";
import { parseRowsView, rowsListInput } from "@/features/relations/url";
import { schemaFields } from "@/features/relations/fields";

export async function generateMetadata({ params }: { params: Promise<{ relation: string }> }) {
  return { title: decodeURIComponent((await params).relation) };
}

export default async function RelationPage({
  params, searchParams,
}: {
  params: Promise<{ relation: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const relation = decodeURIComponent((await params).relation);
  const view = parseRowsView(await searchParams);
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  // The schema types the filter values (numbers as numbers), exactly as the browser will.
  const relations = await qc.fetchQuery(trpc.relations.list.queryOptions(WHOLE_LIST)).then((r) => r.items).catch(() => []);
  const fields = schemaFields(relations.find((r) => r.name === relation)?.schema);
  await Promise.all([
    qc.prefetchInfiniteQuery(trpc.rows.list.infiniteQueryOptions(rowsListInput(relation, view, undefined, fields), { getNextPageParam: (last) => last.nextCursor ?? undefined })),
    view.row ? qc.prefetchQuery(trpc.rows.get.queryOptions({ id: view.row })) : null,
  ]);
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            <Link href="/relations" className="text-muted-foreground hover:text-foreground" aria-label="All relations">
              <ChevronLeft className="size-4" />
            </Link>
            <span className="font-mono">{relation}</span>
          </span>
        }
        description="Newest rows first. Filters, columns and the time range are in the URL: copy it to share this view."
      />
      <HydrateClient>
        <RowsView relation={relation} />
      </HydrateClient>
    </>
  );
}
