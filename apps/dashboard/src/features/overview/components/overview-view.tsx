"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, Pin } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { WHOLE_LIST } from "@/lib/lists";
import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Select } from "@/components/ui/select";
import { ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { LiveIndicator } from "@/components/live-indicator";
import { FitStatusBadge } from "@/features/fits/status";
import { formatCount, formatMs } from "@/lib/time";
import { DriftAlerts } from "@/features/drift/components/drift-alerts";
import { OverviewCharts } from "./overview-charts";
import { OverviewLists } from "./overview-lists";

const RANGES = [
  { value: "60", label: "Last hour" },
  { value: "360", label: "Last 6 hours" },
  { value: "1440", label: "Last 24 hours" },
];

export function OverviewView() {
  const trpc = useTRPC();
  const [minutes, setMinutes] = React.useState(60);
  const triggers = useQuery(trpc.triggers.list.queryOptions(WHOLE_LIST, { refetchInterval: 5000 }));
  const stats = useQuery(trpc.stats.overview.queryOptions({ minutes }, { refetchInterval: 10_000, placeholderData: (prev) => prev }));

  return (
    <div className="space-y-5 p-4 md:p-6">
      <DriftAlerts />
      <Card>
        <CardHeader>
          <div>
            <CardTitle>Triggers</CardTitle>
            <CardDescription>Active is what infer reads; latest is the newest version fits produced.</CardDescription>
          </div>
          <LiveIndicator updatedAt={triggers.dataUpdatedAt} fetching={triggers.isFetching} />
        </CardHeader>
        <Table data-testid="triggers-table">
          <TableHeader>
            <TableRow>
              <TableHead>Trigger</TableHead>
              <TableHead>Active</TableHead>
              <TableHead>Latest</TableHead>
              <TableHead className="text-right">Pending rows</TableHead>
              <TableHead>Last fit</TableHead>
              <TableHead className="text-right">Dead letters</TableHead>
              <TableHead className="text-right">Infer p50 / p99</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {triggers.isPending ? (
              Array.from({ length: 2 }, (_, i) => (
                <TableRow key={i}>
                  <TableCell colSpan={7}><Skeleton className="h-5 w-full" /></TableCell>
                </TableRow>
              ))
            ) : triggers.isError ? (
              <TableMessage colSpan={7}><ErrorState error={triggers.error} retry={() => triggers.refetch()} className="py-2" /></TableMessage>
            ) : triggers.data.items.length === 0 ? (
              <TableMessage colSpan={7}>This app declares no triggers.</TableMessage>
            ) : (
              triggers.data.items.map((t) => (
                <TableRow key={t.name} data-testid={`trigger-row-${t.name}`}>
                  <TableCell className="font-medium">
                    <Link href={`/state/${encodeURIComponent(t.name)}`} className="hover:underline">{t.name}</Link>
                  </TableCell>
                  <TableCell>
                    <Badge variant="default" data-testid="active-version">{t.activeVersion === null ? "—" : `v${t.activeVersion}`}</Badge>
                    {t.pinned && (
                      <Badge variant="warning" className="ml-1" title="Pinned by a rollback: active does not follow latest">
                        <Pin /> pinned
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell><Badge variant="outline">{t.latestVersion === null ? "—" : `v${t.latestVersion}`}</Badge></TableCell>
                  <TableCell className="text-right tabular-nums">
                    {formatCount(t.pendingRows)}
                    {t.heldRows > 0 && (
                      <span className="ml-1 text-xs text-amber-700 dark:text-amber-400" title="Held back by drift until an operator releases their partition" data-testid="held-rows">
                        ({formatCount(t.heldRows)} held)
                      </span>
                    )}
                  </TableCell>
                  <TableCell>
                    {t.lastFit ? (
                      <span className="inline-flex items-center gap-2">
                        <FitStatusBadge status={t.lastFit.status} />
                        <RelativeTime date={t.lastFit.finishedAt ?? t.lastFit.queuedAt} className="text-xs text-muted-foreground" />
                      </span>
                    ) : (
                      <span className="text-xs text-muted-foreground">no fits yet</span>
                    )}
                  </TableCell>
                  <TableCell className="text-right">
                    {t.deadLettered > 0 ? (
                      <Link href={`/fits?trigger=${encodeURIComponent(t.name)}&status=failed`}>
                        <Badge variant="destructive"><AlertTriangle /> {t.deadLettered}</Badge>
                      </Link>
                    ) : (
                      <span className="text-muted-foreground tabular-nums">0</span>
                    )}
                  </TableCell>
                  <TableCell className="text-right text-xs tabular-nums text-muted-foreground">
                    {formatMs(t.latency?.p50)} / {formatMs(t.latency?.p99)}
                  </TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
        {triggers.data?.nextCursor && <p className="px-4 py-2 text-xs text-muted-foreground">Showing the first {triggers.data.items.length} triggers.</p>}
      </Card>

      <OverviewLists triggers={triggers.data?.items.map((t) => t.name) ?? []} />

      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Activity</h2>
        <Select aria-label="Time range" value={String(minutes)} onValueChange={(v) => setMinutes(Number(v))} options={RANGES} className="w-40" />
      </div>
      {stats.isError ? (
        <Card><ErrorState error={stats.error} retry={() => stats.refetch()} /></Card>
      ) : (
        <OverviewCharts data={stats.data} minutes={minutes} loading={stats.isPending} />
      )}
    </div>
  );
}
