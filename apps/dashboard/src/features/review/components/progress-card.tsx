"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { formatCount } from "@/lib/time";

export function ProgressCard({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const progress = useQuery(trpc.review.progress.queryOptions({ trigger }, { refetchInterval: 5000 }));
  return (
    <Card data-testid="progress">
      <CardHeader>
        <div>
          <CardTitle>Progress</CardTitle>
          <CardDescription>Labels per labeler on {trigger}</CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-3">
        {progress.isPending ? (
          <Skeleton className="h-24" />
        ) : progress.isError ? (
          <ErrorState error={progress.error} className="py-2" />
        ) : (
          <>
            <div>
              <div className="flex items-baseline justify-between text-sm">
                <span className="font-semibold tabular-nums" data-testid="progress-labeled">{formatCount(progress.data.labeled)} / {formatCount(progress.data.total)}</span>
                <span className="text-xs text-muted-foreground">{formatCount(progress.data.remaining)} left</span>
              </div>
              <div className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-muted" role="progressbar" aria-valuemin={0} aria-valuemax={progress.data.total} aria-valuenow={progress.data.labeled}>
                <div className="h-full rounded-full bg-primary transition-all" style={{ width: `${progress.data.total ? (100 * progress.data.labeled) / progress.data.total : 0}%` }} />
              </div>
            </div>
            {progress.data.labelers.length === 0 ? (
              <p className="text-xs text-muted-foreground">Nobody has labeled yet.</p>
            ) : (
              <ul className="space-y-1.5 text-xs">
                {progress.data.labelers.map((l) => (
                  <li key={l.actor} className="flex items-center gap-2">
                    <span className="min-w-0 flex-1 truncate" title={l.actor}>{l.actor}</span>
                    {l.inProgress > 0 && <span className="text-muted-foreground">{l.inProgress} open</span>}
                    <span className="tabular-nums text-success">{l.good}</span>/<span className="tabular-nums text-destructive">{l.bad}</span>
                    <span className="w-8 text-right font-medium tabular-nums">{l.labeled}</span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
