"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { TrendingUp } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { formatCount } from "@/lib/time";
import { formatZ } from "../heatmap";
import { DriftStatusBadge } from "./status-badge";

/** The Overview's open drift alerts: flagged partitions nobody has decided on yet, each linking to its detail. */
export function DriftAlerts() {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.drift.alerts.queryOptions(undefined, { refetchInterval: 10_000 }));
  if (alerts.isPending) return <Skeleton className="h-20 w-full" />;
  if (alerts.isError) return <Card><ErrorState error={alerts.error} retry={() => alerts.refetch()} className="py-4" /></Card>;
  // Nothing open: no card, the Overview stays about the triggers.
  const { items, nextCursor } = alerts.data;
  if (items.length === 0) return null;
  // One page (100) is what an Overview shows; past it the count says "100+" and the Drift page has the rest.
  const count = `${items.length}${nextCursor ? "+" : ""}`;
  return (
    <Card className="border-destructive/40" data-testid="drift-alerts">
      <CardHeader>
        <div className="min-w-0">
          <CardTitle className="flex items-center gap-2">
            <TrendingUp className="size-4 text-destructive" /> Open drift alerts ({count})
          </CardTitle>
          <CardDescription>Partitions whose data moved away from its history. Held ones are not fitted until someone decides.</CardDescription>
        </div>
      </CardHeader>
      <ul className="divide-y border-t text-sm">
        {items.slice(0, 10).map((a) => (
          <li key={`${a.relation}/${a.partition}`}>
            <Link
              href={`/drift/${encodeURIComponent(a.relation)}?partition=${encodeURIComponent(a.partition)}`}
              className="flex flex-wrap items-center gap-x-3 gap-y-1 px-5 py-2.5 hover:bg-accent/50"
              data-testid="drift-alert"
            >
              <span className="font-mono font-medium">{a.relation}</span>
              <span className="font-mono">{a.partition}</span>
              <DriftStatusBadge status={a.status} />
              <span className="text-xs text-muted-foreground">{formatCount(a.rows)} rows · score {formatZ(a.score)}</span>
              {a.columns[0] && (
                <span className="min-w-0 truncate font-mono text-xs text-muted-foreground">
                  {a.columns.slice(0, 3).map((c) => `${c.column} ${c.statistic} z=${formatZ(c.z)}`).join(" · ")}
                </span>
              )}
            </Link>
          </li>
        ))}
      </ul>
      {(items.length > 10 || nextCursor) && (
        <p className="border-t px-5 py-2 text-xs text-muted-foreground">
          and {nextCursor ? "more" : items.length - 10} on the Drift page
        </p>
      )}
    </Card>
  );
}
