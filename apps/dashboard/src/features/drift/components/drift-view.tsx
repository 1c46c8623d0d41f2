"use client";
import * as React from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Loader2, RefreshCw } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EmptyState, ErrorState, errorMessage } from "@/components/states";
import { useToast } from "@/components/ui/toast";
import { LiveIndicator } from "@/components/live-indicator";
import { RequireRole } from "@/features/auth/role";
import { formatCount } from "@/lib/time";
import { formatZ, defaultColumn } from "../heatmap";
import { ColumnCharts } from "./column-charts";
import { DriftHeatmap } from "./drift-heatmap";
import { EventsList } from "./events-list";
import { PartitionSheet } from "./partition-sheet";
import { DriftStatusBadge } from "./status-badge";
import { useInvalidateDrift } from "./use-invalidate-drift";

const DEFAULT_THRESHOLD = 7;

/** The Drift page of one relation. The open partition and the charted column live in the URL (?partition=&column=). */
export function DriftView({ relation }: { relation: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const openPartition = searchParams.get("partition");
  const columnParam = searchParams.get("column");
  const setParam = React.useCallback(
    (key: "partition" | "column", value: string | null) => {
      const next = new URLSearchParams(searchParams.toString());
      if (value === null) next.delete(key);
      else next.set(key, value);
      const qs = next.toString();
      router.replace(`${pathname}${qs ? `?${qs}` : ""}`, { scroll: false });
    },
    [router, pathname, searchParams],
  );

  const summaries = useQuery(trpc.drift.relations.queryOptions(undefined, { refetchInterval: 10_000 }));
  const heatmap = useQuery(trpc.drift.heatmap.queryOptions({ relation }, { refetchInterval: 15_000 }));
  const partitions = useQuery(trpc.drift.partitions.queryOptions({ relation }, { refetchInterval: 15_000 }));
  const summary = summaries.data?.find((s) => s.relation === relation);
  const list = partitions.data ?? [];
  const threshold = list.at(-1)?.threshold ?? DEFAULT_THRESHOLD;
  const decided = React.useMemo(() => [...list].filter((p) => p.status !== "ok" && p.status !== "open" && p.status !== "insufficient-history").reverse(), [list]);
  const flagged = React.useMemo(() => list.filter((p) => p.status === "drift" || p.status === "held"), [list]);
  const column = columnParam ?? (heatmap.data ? defaultColumn(heatmap.data, flagged) : null);
  const probe = heatmap.data?.partitions.at(-1) ?? list.at(-1)?.partition ?? null;

  return (
    <div className="space-y-5 p-4 sm:p-6">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Partitions">{summary ? formatCount(summary.partitions) : <Skeleton className="h-7 w-12" />}</Stat>
        <Stat label="Open flags" testId="drift-open">{summary ? <span className={summary.open > 0 ? "text-destructive" : undefined}>{summary.open}</span> : <Skeleton className="h-7 w-12" />}</Stat>
        <Stat label="Held (waiting for you)">{summary ? summary.held : <Skeleton className="h-7 w-12" />}</Stat>
        <Stat label="Newest partition">{summary ? <span className="font-mono text-base">{summary.lastPartition ?? "—"}</span> : <Skeleton className="h-7 w-12" />}</Stat>
      </div>
      {summary && !summary.profiled && (
        <p role="status" className="rounded-lg border bg-muted/40 px-4 py-2.5 text-sm text-muted-foreground">
          This relation is not profiled (its <code>profile</code> option is off), so nothing is judged.
        </p>
      )}

      <Card>
        <CardHeader className="flex-wrap sm:flex-nowrap">
          <div className="min-w-0">
            <CardTitle>|z| by column and partition</CardTitle>
            <CardDescription>Each cell is a column’s largest |z| in a partition against its history. Click a cell for the partition, a column name to chart it.</CardDescription>
          </div>
          <div className="flex items-center gap-2">
            <LiveIndicator updatedAt={heatmap.dataUpdatedAt} fetching={heatmap.isFetching} />
            <RequireRole role="labeler">
              <CheckButton relation={relation} />
            </RequireRole>
          </div>
        </CardHeader>
        <CardContent>
          {heatmap.isPending ? (
            <Skeleton className="h-40 w-full" />
          ) : heatmap.isError ? (
            <ErrorState error={heatmap.error} retry={() => heatmap.refetch()} />
          ) : heatmap.data.partitions.length === 0 || heatmap.data.columns.length === 0 ? (
            <EmptyState title="Nothing judged yet">A partition is judged when it closes (rows of a later one arrive, or it stays idle), or on “Check now”.</EmptyState>
          ) : (
            <DriftHeatmap
              heatmap={heatmap.data}
              threshold={threshold}
              selectedPartition={openPartition}
              selectedColumn={column}
              onPartition={(p) => setParam("partition", p)}
              onColumn={(c) => setParam("column", c)}
            />
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <div className="min-w-0">
            <CardTitle>Flagged and decided partitions</CardTitle>
            <CardDescription>Newest first. Open one to read what moved and decide.</CardDescription>
          </div>
        </CardHeader>
        {partitions.isPending ? (
          <CardContent><Skeleton className="h-16 w-full" /></CardContent>
        ) : partitions.isError ? (
          <ErrorState error={partitions.error} retry={() => partitions.refetch()} />
        ) : decided.length === 0 ? (
          <EmptyState title="No partition was flagged" className="py-6" />
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="flagged-partitions">
              <TableHeader>
                <TableRow>
                  <TableHead>Partition</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="text-right">Rows</TableHead>
                  <TableHead className="text-right">Score</TableHead>
                  <TableHead>Columns</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {decided.map((p) => (
                  <TableRow key={p.partition} className="cursor-pointer" onClick={() => setParam("partition", p.partition)} data-testid={`flagged-${p.partition}`}>
                    <TableCell className="font-mono">
                      <button type="button" className="hover:text-primary hover:underline" onClick={(e) => (e.stopPropagation(), setParam("partition", p.partition))}>{p.partition}</button>
                    </TableCell>
                    <TableCell><DriftStatusBadge status={p.status} /></TableCell>
                    <TableCell className="text-right tabular-nums">{formatCount(p.rows)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatZ(p.score)}</TableCell>
                    <TableCell className="max-w-64 truncate font-mono text-xs" title={p.columns.map((c) => `${c.column} (${c.statistic})`).join(", ")}>
                      {p.columns.map((c) => c.column).join(", ") || "—"}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </Card>

      <section className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-sm font-semibold">Statistics over partitions</h2>
          {heatmap.data && heatmap.data.columns.length > 0 && column && (
            <Select
              aria-label="Column"
              value={column}
              onValueChange={(c) => setParam("column", c)}
              options={heatmap.data.columns.map((c) => ({ value: c, label: c }))}
              className="min-w-40 font-mono text-xs"
            />
          )}
        </div>
        {column ? <ColumnCharts relation={relation} column={column} probe={probe} threshold={threshold} /> : <Card><EmptyState title="No columns to chart yet" /></Card>}
      </section>

      <Card>
        <CardHeader>
          <div className="min-w-0">
            <CardTitle>Events</CardTitle>
            <CardDescription>Every flag, release, drop, mark-valid and refit, with who and why.</CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <EventsList relation={relation} onPartition={(p) => setParam("partition", p)} />
        </CardContent>
      </Card>

      <PartitionSheet relation={relation} partition={openPartition} onClose={() => setParam("partition", null)} />
    </div>
  );
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className="px-4 py-3">
      <div className="text-xs text-muted-foreground">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>{children}</div>
    </Card>
  );
}

function CheckButton({ relation }: { relation: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateDrift();
  const check = useMutation(
    trpc.drift.check.mutationOptions({
      onSuccess: async (judged) => {
        toast({ title: `Checked ${relation}`, description: judged.length ? `${judged.length} partition${judged.length === 1 ? "" : "s"} judged` : "Nothing new to judge", variant: "success" });
        await invalidate();
      },
      onError: (error) => toast({ title: "Check failed", description: errorMessage(error), variant: "error" }),
    }),
  );
  return (
    <Button variant="outline" size="sm" onClick={() => check.mutate({ relation })} disabled={check.isPending} data-testid="drift-check">
      {check.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Check now
    </Button>
  );
}
