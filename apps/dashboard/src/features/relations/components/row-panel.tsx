"use client";
import * as React from "react";
import Link from "next/link";
import { reviewInferenceHref } from "@/features/review/filters";
import { useQuery } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { FeedbackList } from "@/components/feedback-list";
import { Button } from "@/components/ui/button";
import { RequireRole } from "@/features/auth/role";
import { DeleteRowDialog } from "./delete-row-dialog";
import { useTRPC } from "@/lib/trpc/client";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { JsonView } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatMs } from "@/lib/time";

/** The side panel: the full row, every inference made on it and the feedback each got. */
export function RowPanel({ id, onClose }: { id: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const row = useQuery(trpc.rows.get.queryOptions({ id: id ?? "" }, { enabled: !!id }));
  const [deleting, setDeleting] = React.useState(false);
  return (
    <Sheet open={!!id} onOpenChange={(open) => !open && onClose()}>
      <SheetContent aria-describedby={undefined} data-testid="row-panel">
        <SheetHeader>
          <SheetTitle>Row <span className="font-mono text-sm font-normal text-muted-foreground">{id}</span></SheetTitle>
          {row.data && (
            <SheetDescription>
              {row.data.relation} · created <RelativeTime date={row.data.createdAt} />{row.data.key ? <> · key <span className="font-mono">{row.data.key}</span></> : null}
            </SheetDescription>
          )}
        </SheetHeader>
        <div className="flex-1 space-y-5 overflow-y-auto px-5 py-4">
          {row.isPending ? (
            <div className="space-y-3"><Skeleton className="h-40" /><Skeleton className="h-24" /></div>
          ) : row.isError ? (
            <ErrorState error={row.error} retry={() => row.refetch()} />
          ) : (
            <>
              <RequireRole role="admin">
                <div className="flex justify-end">
                  <Button variant="outline" size="sm" onClick={() => setDeleting(true)} data-testid="delete-row-open">
                    <Trash2 /> Delete row…
                  </Button>
                </div>
              </RequireRole>
              <section>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Data</h3>
                <JsonView value={row.data.data} />
              </section>
              <section>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Inferences ({row.data.inferences.length})</h3>
                {row.data.inferences.length === 0 ? (
                  <EmptyState title="No inferences" className="rounded-md border py-6">No trigger infers on this relation, or this row predates them.</EmptyState>
                ) : (
                  <div className="space-y-3">
                    {row.data.inferences.map((inf) => (
                      <div key={inf.id} className="rounded-md border" data-testid="row-inference">
                        <div className="flex flex-wrap items-center gap-2 border-b bg-muted/40 px-3 py-2 text-xs">
                          <span className="font-medium">{inf.trigger}/{inf.route}</span>
                          <Badge variant="outline">v{inf.stateVersion}</Badge>
                          <span className="text-muted-foreground">{formatMs(inf.latencyMs)}</span>
                          {inf.cached && <Badge variant="secondary">cached</Badge>}
                          {inf.error && <Badge variant="destructive">error</Badge>}
                          <RelativeTime date={inf.createdAt} className="ml-auto text-muted-foreground" />
                          <Link href={`/inferences?open=${encodeURIComponent(inf.id)}`} className="font-medium text-primary hover:underline" data-testid="row-inference-open">Open</Link>
                          <Link href={reviewInferenceHref(inf.trigger, inf.id)} className="font-medium text-primary hover:underline" data-testid="row-inference-review">Label in Review</Link>
                        </div>
                        <div className="space-y-2 p-3">
                          {inf.error ? <pre className="text-xs whitespace-pre-wrap text-destructive">{inf.error}</pre> : <JsonView value={inf.output} maxHeight="14rem" />}
                          {inf.feedback.length > 0 && <FeedbackList feedback={inf.feedback} />}
                        </div>
                      </div>
                    ))}
                  </div>
                )}
              </section>
            </>
          )}
        </div>
      </SheetContent>
      {deleting && id && row.data && (
        <DeleteRowDialog
          id={id}
          relation={row.data.relation}
          onClose={() => setDeleting(false)}
          onDeleted={() => {
            setDeleting(false);
            onClose();
          }}
        />
      )}
    </Sheet>
  );
}
