"use client";
import * as React from "react";
import { WHOLE_LIST } from "@/lib/lists";
import Link from "next/link";
import { useQueries, useQuery } from "@tanstack/react-query";
import { Database, Hammer, Tags } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { FitStatusBadge } from "@/features/fits/status";
import { formatCount, formatMs } from "@/lib/time";

/** The docs' promise for the Overview: relation sizes, recent fit runs, labels waiting. */
export function OverviewLists({ triggers }: { triggers: string[] }) {
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <RelationsCard />
      <RecentFitsCard />
      <WaitingCard triggers={triggers} />
    </div>
  );
}

function ListCard({ title, description, icon, testId, children }: { title: string; description: string; icon: React.ReactNode; testId: string; children: React.ReactNode }) {
  return (
    <Card data-testid={testId} className="min-w-0">
      <CardHeader>
        <div>
          <CardTitle className="flex items-center gap-2">{icon} {title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
      </CardHeader>
      <ul className="divide-y border-t text-sm">{children}</ul>
    </Card>
  );
}

function RelationsCard() {
  const trpc = useTRPC();
  const relations = useQuery(trpc.relations.list.queryOptions(WHOLE_LIST, { refetchInterval: 10_000 }));
  return (
    <ListCard testId="overview-relations" title="Relations" description="Rows stored in each relation." icon={<Database className="size-4" />}>
      {relations.isPending ? (
        <li className="p-3"><Skeleton className="h-5" /></li>
      ) : relations.isError ? (
        <li><ErrorState error={relations.error} className="py-2" /></li>
      ) : (
        relations.data.items.map((r) => (
          <li key={r.name} className="flex items-center justify-between gap-3 px-4 py-2" data-testid="overview-relation">
            <Link href={`/relations/${encodeURIComponent(r.name)}`} className="truncate font-mono text-xs hover:underline">{r.name}</Link>
            <span className="tabular-nums" data-testid="overview-relation-count">{formatCount(r.rowCount)}</span>
          </li>
        ))
      )}
    </ListCard>
  );
}

function RecentFitsCard() {
  const trpc = useTRPC();
  const fits = useQuery(trpc.fits.list.queryOptions({ limit: 5 }, { refetchInterval: 5000 }));
  return (
    <ListCard testId="overview-fits" title="Recent fit runs" description="The last five, newest first." icon={<Hammer className="size-4" />}>
      {fits.isPending ? (
        <li className="p-3"><Skeleton className="h-5" /></li>
      ) : fits.isError ? (
        <li><ErrorState error={fits.error} className="py-2" /></li>
      ) : fits.data.items.length === 0 ? (
        <li className="px-4 py-3 text-muted-foreground">No fit has run yet.</li>
      ) : (
        fits.data.items.map((f) => (
          <li key={f.id} className="flex items-center gap-2 px-4 py-2" data-testid="overview-fit">
            <FitStatusBadge status={f.status} deadLettered={f.deadLettered} />
            <Link href={`/fits/${f.id}`} className="min-w-0 flex-1 truncate text-xs hover:underline">
              {f.trigger} / {f.route}
              <span className="text-muted-foreground"> · {formatCount(f.rowCount)} rows{f.durationMs !== null ? ` · ${formatMs(f.durationMs)}` : ""}</span>
            </Link>
            <RelativeTime date={f.finishedAt ?? f.queuedAt} className="shrink-0 text-xs text-muted-foreground" />
          </li>
        ))
      )}
    </ListCard>
  );
}

function WaitingCard({ triggers }: { triggers: string[] }) {
  const trpc = useTRPC();
  const progress = useQueries({ queries: triggers.map((trigger) => trpc.review.progress.queryOptions({ trigger }, { refetchInterval: 15_000 })) });
  return (
    <ListCard testId="overview-waiting" title="Waiting for a label" description="Inferences no one has labeled yet." icon={<Tags className="size-4" />}>
      {triggers.length === 0 ? (
        <li className="px-4 py-3 text-muted-foreground">No triggers.</li>
      ) : (
        triggers.map((trigger, i) => {
          const p = progress[i]!;
          return (
            <li key={trigger} className="flex items-center justify-between gap-3 px-4 py-2" data-testid="overview-waiting-trigger">
              <Link href={`/review/${encodeURIComponent(trigger)}`} className="truncate hover:underline">{trigger}</Link>
              {p.isPending ? (
                <Skeleton className="h-4 w-12" />
              ) : p.isError ? (
                <span className="text-xs text-destructive">unavailable</span>
              ) : (
                <span className="tabular-nums" data-testid="overview-waiting-count">
                  {formatCount(p.data.remaining)} <span className="text-xs text-muted-foreground">of {formatCount(p.data.total)}</span>
                </span>
              )}
            </li>
          );
        })
      )}
    </ListCard>
  );
}
