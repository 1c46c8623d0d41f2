"use client";
import * as React from "react";
import Link from "next/link";
import { reviewInferenceHref } from "@/features/review/filters";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Database, Loader2, Tags, ThumbsDown, ThumbsUp } from "lucide-react";
import { FeedbackList } from "@/components/feedback-list";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { JsonView } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatMs } from "@/lib/time";
import { Textarea } from "@/components/ui/input";
import { errorMessage } from "@/components/states";
import { RequireRole } from "@/features/auth/role";

/** One inference: what was asked, what was answered, its labels, and where to go next. */
export function InferencePanel({ id, onClose }: { id: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const inference = useQuery(trpc.inferences.get.queryOptions({ id: id ?? "" }, { enabled: !!id }));
  const i = inference.data;
  const queryClient = useQueryClient();
  const [note, setNote] = React.useState("");
  const label = useMutation(
    trpc.feedback.label.mutationOptions({
      onSuccess: async () => {
        setNote("");
        await queryClient.invalidateQueries({ queryKey: trpc.inferences.pathKey() });
      },
    }),
  );
  return (
    <Sheet open={!!id} onOpenChange={(open) => !open && onClose()}>
      <SheetContent aria-describedby={undefined} data-testid="inference-panel">
        <SheetHeader>
          <SheetTitle>Inference <span className="font-mono text-sm font-normal text-muted-foreground">{id}</span></SheetTitle>
          {i && (
            <SheetDescription>
              {i.trigger}/{i.route} · v{i.stateVersion} · {formatMs(i.latencyMs)}{i.cached ? " · cached" : ""} · <RelativeTime date={i.createdAt} />
            </SheetDescription>
          )}
        </SheetHeader>
        <div className="flex-1 space-y-5 overflow-y-auto px-5 py-4">
          {inference.isPending ? (
            <div className="space-y-3"><Skeleton className="h-32" /><Skeleton className="h-40" /></div>
          ) : inference.isError ? (
            <ErrorState error={inference.error} retry={() => inference.refetch()} />
          ) : i ? (
            <>
              <div className="flex flex-wrap gap-2">
                <Button asChild size="sm" variant="outline">
                  <Link href={reviewInferenceHref(i.trigger, i.id)} data-testid="inference-review-link"><Tags /> Review {i.trigger}</Link>
                </Button>
                <Button asChild size="sm" variant="outline">
                  <Link href={`/relations/${encodeURIComponent(i.relation)}?row=${encodeURIComponent(i.rowId)}`}><Database /> Open the row</Link>
                </Button>
              </div>
              <section>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Input ({i.relation})</h3>
                <JsonView value={i.input} maxHeight="16rem" />
              </section>
              <section>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">{i.error ? "Error" : "Output"}</h3>
                {i.error ? <pre className="text-xs whitespace-pre-wrap text-destructive">{i.error}</pre> : <JsonView value={i.output} maxHeight="20rem" />}
              </section>
              <RequireRole role="labeler">
                <section className="space-y-2 rounded-md border p-3" data-testid="quick-label">
                  <h3 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">Label this answer</h3>
                  <Textarea aria-label="Note" placeholder="Note (optional): why it is good or bad" value={note} onChange={(e) => setNote(e.target.value)} className="min-h-16" />
                  <div className="flex flex-wrap items-center gap-2">
                    <Button size="sm" variant="success" disabled={label.isPending} onClick={() => label.mutate({ inferenceId: i.id, label: "good", ...(note.trim() ? { note: note.trim() } : {}) })}>
                      {label.isPending ? <Loader2 className="animate-spin" /> : <ThumbsUp />} Good
                    </Button>
                    <Button size="sm" variant="destructive" disabled={label.isPending} onClick={() => label.mutate({ inferenceId: i.id, label: "bad", ...(note.trim() ? { note: note.trim() } : {}) })}>
                      {label.isPending ? <Loader2 className="animate-spin" /> : <ThumbsDown />} Bad
                    </Button>
                    <span className="text-xs text-muted-foreground">To correct the answer, use the Review page.</span>
                  </div>
                  {label.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(label.error)}</p>}
                </section>
              </RequireRole>
              <section>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Labels ({i.feedback.length})</h3>
                {i.feedback.length === 0 ? (
                  <p className="text-sm text-muted-foreground">Not labeled yet.</p>
                ) : (
                  <FeedbackList feedback={i.feedback} size="sm" />
                )}
              </section>
            </>
          ) : null}
        </div>
      </SheetContent>
    </Sheet>
  );
}
