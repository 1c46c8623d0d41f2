"use client";
import * as React from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { nextPage } from "@/lib/lists";
import { LoadMore } from "@/components/load-more";
import { actionLabel } from "../status";

const VARIANT: Record<string, "destructive" | "default" | "secondary" | "success" | "outline"> = {
  flag: "destructive", release: "default", drop: "secondary", "mark-valid": "success", refit: "outline",
};

/** Flags, releases, drops, marks and refits with who and why, newest first. */
export function EventsList({ relation, partition, limit = 50, onPartition }: { relation: string; partition?: string; limit?: number; onPartition?: (p: string) => void }) {
  const trpc = useTRPC();
  const events = useInfiniteQuery(trpc.drift.events.infiniteQueryOptions({ relation, limit, ...(partition ? { partition } : {}) }, { getNextPageParam: nextPage, refetchInterval: 10_000 }));
  if (events.isPending) return <Skeleton className="h-24 w-full" />;
  if (events.isError) return <ErrorState error={events.error} retry={() => events.refetch()} className="py-4" />;
  const items = events.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <EmptyState title="No drift events yet" className="py-6" />;
  return (
    <div className="space-y-2">
      <ol className="divide-y text-sm" data-testid="drift-events">
        {items.map((e) => (
          <li key={e.id} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 py-2" data-testid="drift-event" data-action={e.action}>
            <Badge variant={VARIANT[e.action] ?? "outline"}>{actionLabel(e.action)}</Badge>
            {!partition &&
              (onPartition ? (
                <button type="button" onClick={() => onPartition(e.partition)} className="font-mono text-xs hover:text-primary hover:underline">{e.partition}</button>
              ) : (
                <span className="font-mono text-xs">{e.partition}</span>
              ))}
            <span className="text-xs text-muted-foreground">by {e.actor}</span>
            <RelativeTime date={e.createdAt} className="text-xs text-muted-foreground" />
            {e.reason && <p className="basis-full text-xs break-words text-muted-foreground">“{e.reason}”</p>}
          </li>
        ))}
      </ol>
      <LoadMore query={events} noun="events" />
    </div>
  );
}
