import { notFound } from "next/navigation";
import { PageHeader } from "@/components/app-shell";
import { TriggerSwitcher } from "@/components/trigger-switcher";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";
import { ReviewView } from "@/features/review/components/review-view";
import { ExportButton } from "@/features/review/components/export-button";
import { parseReviewState, reviewListInput } from "@/features/review/filters";

export async function generateMetadata({ params }: { params: Promise<{ trigger: string }> }) {
  return { title: `Review · ${decodeURIComponent((await params).trigger)}` };
}

export default async function ReviewPage({ params, searchParams }: { params: Promise<{ trigger: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const trigger = decodeURIComponent((await params).trigger);
  const state = parseReviewState(await searchParams);
  const app = runtime().motion.app;
  const names = app.triggers.filter((t) => t.routes.some((r) => r.infer)).map((t) => t.name);
  if (!app.trigger(trigger)) notFound();
  const trpc = await serverTRPC();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchInfiniteQuery(trpc.inferences.list.infiniteQueryOptions(reviewListInput(trigger, state.label, state.version), { getNextPageParam: (last) => last.nextCursor ?? undefined })),
    qc.prefetchQuery(trpc.review.progress.queryOptions({ trigger })),
    ...(state.inference && state.mode === "browse" ? [qc.prefetchQuery(trpc.inferences.get.queryOptions({ id: state.inference }))] : []),
  ]);
  return (
    <>
      <PageHeader
        title="Review"
        description="Label what infer answered. Good and bad labels, corrections and notes become feedback rows and fine-tuning data."
        actions={
          <>
            <ExportButton trigger={trigger} />
            <TriggerSwitcher base="/review" current={trigger} triggers={names.length ? names : [trigger]} />
          </>
        }
      />
      <HydrateClient>
        <ReviewView trigger={trigger} />
      </HydrateClient>
    </>
  );
}
