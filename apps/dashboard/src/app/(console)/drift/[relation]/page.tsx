import { notFound } from "next/navigation";
import { PageHeader } from "@/components/app-shell";
import { TriggerSwitcher } from "@/components/trigger-switcher";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";
import { DriftView } from "@/features/drift/components/drift-view";

export async function generateMetadata({ params }: { params: Promise<{ relation: string }> }) {
  return { title: `Drift · ${decodeURIComponent((await params).relation)}` };
}

export default async function DriftPage({
  params, searchParams,
}: {
  params: Promise<{ relation: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const relation = decodeURIComponent((await params).relation);
  const names = runtime().motion.app.relations.map((r) => r.name);
  if (!names.includes(relation)) notFound();
  const partition = (await searchParams).partition;
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.drift.relations.queryOptions()),
    qc.prefetchQuery(trpc.drift.heatmap.queryOptions({ relation })),
    qc.prefetchQuery(trpc.drift.partitions.queryOptions({ relation })),
    typeof partition === "string" ? qc.prefetchQuery(trpc.drift.profile.queryOptions({ relation, partition })) : null,
  ]);
  return (
    <>
      <PageHeader
        title="Drift"
        description="Each partition of a relation against the history of earlier valid ones: which columns moved, and what to do with the flagged data."
        actions={<TriggerSwitcher base="/drift" current={relation} triggers={names} label="Relation" />}
      />
      <HydrateClient>
        <DriftView relation={relation} />
      </HydrateClient>
    </>
  );
}
