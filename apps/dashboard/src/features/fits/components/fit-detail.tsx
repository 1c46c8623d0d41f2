"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { JsonView } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatCount, formatMs } from "@/lib/time";
import { formatTick } from "@/lib/axis-format";
import { RequireRole } from "@/features/auth/role";
import { FitStatusBadge } from "../status";
import { RetryDialog } from "./retry-dialog";
import { AttemptHistory } from "./attempt-history";

export function FitDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const fit = useQuery(trpc.fits.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data && ["queued", "running"].includes(q.state.data.status) ? 2000 : false) }));
  const [retrying, setRetrying] = React.useState(false);
  if (fit.isPending) return <div className="p-6"><Skeleton className="h-64" /></div>;
  if (fit.isError) return <ErrorState error={fit.error} retry={() => fit.refetch()} className="py-20" />;
  const f = fit.data;
  const facts: [string, React.ReactNode][] = [
    ["Status", <FitStatusBadge key="s" status={f.status} deadLettered={f.deadLettered} />],
    ["Trigger / route", <span key="t"><Link className="hover:underline" href={`/state/${encodeURIComponent(f.trigger)}`}>{f.trigger}</Link> / {f.route} <span className="text-muted-foreground">on {f.relation}</span></span>],
    ["Why", <span key="w" data-testid="fit-reason">{f.reason === "schedule" ? "scheduled tick (the rows since the last run)" : f.reason === "drift" ? "drift refit over recent valid partitions" : "new rows"}</span>],
    ["Rows", formatCount(f.rowCount)],
    ["Attempts", `${f.attempts} of ${f.maxAttempts}`],
    ["Duration", formatMs(f.durationMs)],
    ["Version", f.producedVersion !== null ? `v${f.baseVersion} → v${f.producedVersion}` : `from v${f.baseVersion ?? "?"} (none produced)`],
    ["Queued", <RelativeTime key="q" date={f.queuedAt} />],
    ["Started", <RelativeTime key="st" date={f.startedAt} />],
    ["Finished", <RelativeTime key="f" date={f.finishedAt} />],
    ["Params hash", <span key="p" className="font-mono text-xs">{f.paramsHash.slice(0, 16)}</span>],
  ];
  return (
    <div className="grid gap-5 p-6 xl:grid-cols-3">
      <Card className="xl:col-span-1">
        <CardHeader>
          <CardTitle>Run</CardTitle>
          {f.deadLettered && f.status === "failed" && (
            <RequireRole role="admin">
              <Button size="sm" onClick={() => setRetrying(true)} data-testid="retry-fit">
                <RefreshCw /> Retry…
              </Button>
            </RequireRole>
          )}
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
            {facts.map(([k, v]) => (
              <React.Fragment key={k}>
                <dt className="text-muted-foreground">{k}</dt>
                <dd className="min-w-0">{v}</dd>
              </React.Fragment>
            ))}
          </dl>
        </CardContent>
      </Card>
      <div className="space-y-5 xl:col-span-2">
        <Card data-testid="fit-retries">
          <CardHeader><CardTitle>Attempts, retries and logs</CardTitle></CardHeader>
          <CardContent className="space-y-3">
            {f.status !== "succeeded" && f.error && (
              <div className="space-y-1" data-testid="fit-last-error">
                <p className="text-sm">
                  <span className="text-muted-foreground">Last error: </span>
                  <span className="font-medium text-destructive">{f.error}</span>
                </p>
                {/* Runs that failed before attempts were recorded have only this. */}
                {f.failedAttempts.length === 0 && f.errorStack && (
                  <pre className="max-h-60 overflow-auto rounded-md bg-muted/50 p-2 font-mono text-xs whitespace-pre">{f.errorStack}</pre>
                )}
              </div>
            )}
            <AttemptHistory run={f} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader><CardTitle>Metrics</CardTitle></CardHeader>
          <CardContent>
            {f.metrics && Object.keys(f.metrics).length ? (
              <div className="space-y-2">
                <dl className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-4 gap-y-1 text-sm sm:grid-cols-[minmax(0,1fr)_auto_minmax(0,1fr)_auto]" data-testid="fit-metrics-list">
                  {Object.entries(f.metrics).map(([k, v]) => (
                    <React.Fragment key={k}>
                      <dt className="truncate font-mono text-xs text-muted-foreground" title={k}>{k}</dt>
                      <dd className="text-right tabular-nums">{typeof v === "number" ? formatTick(v) : JSON.stringify(v)}</dd>
                    </React.Fragment>
                  ))}
                </dl>
                <Link href={`/state/${encodeURIComponent(f.trigger)}`} className="text-xs text-primary hover:underline">These metrics across versions →</Link>
              </div>
            ) : (
              <p className="text-sm text-muted-foreground">The fit reported no metrics.</p>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader><CardTitle>Params</CardTitle></CardHeader>
          <CardContent><JsonView value={f.params} /></CardContent>
        </Card>
        <Card>
          <CardHeader><CardTitle>Rows consumed ({formatCount(f.rowIds.length)})</CardTitle></CardHeader>
          <CardContent>
            <div className="flex max-h-40 flex-wrap gap-1 overflow-y-auto font-mono text-xs">
              {f.rowIds.slice(0, 200).map((r) => (
                <Link key={r} href={`/relations/${encodeURIComponent(f.relation)}?row=${r}`} className="rounded bg-muted px-1.5 py-0.5 hover:bg-accent">{r.slice(-10)}</Link>
              ))}
              {f.rowIds.length > 200 && <span className="text-muted-foreground">…and {f.rowIds.length - 200} more</span>}
            </div>
          </CardContent>
        </Card>
      </div>
      {retrying && <RetryDialog ids={[id]} onClose={() => setRetrying(false)} />}
    </div>
  );
}
