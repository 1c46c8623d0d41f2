"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";
import { EmptyState, ErrorState } from "@/components/states";
import { floorOf, formatStat, isShare, statisticsOf } from "../findings";
import { formatZ } from "../heatmap";
import { flaggedCount, formatTick, seriesRows, yAxis, type SeriesRow } from "../series";

const axisProps = { stroke: "var(--muted-foreground)", fontSize: 11, tickLine: false, axisLine: false } as const;

/** Every statistic of one column over the partitions, each with its history band and flagged partitions marked. */
export function ColumnCharts({ relation, column, probe, threshold }: { relation: string; column: string; probe: string | null; threshold: number }) {
  const trpc = useTRPC();
  // The newest partition's summary says which statistics the column has (by its kind).
  const profile = useQuery(trpc.drift.profile.queryOptions({ relation, partition: probe ?? "" }, { enabled: probe !== null }));
  const statistics = React.useMemo(() => statisticsOf(profile.data?.summary, column, profile.data?.findings), [profile.data, column]);
  if (probe === null) return <EmptyState title="No partitions yet" />;
  if (profile.isError) return <ErrorState error={profile.error} retry={() => profile.refetch()} />;
  if (profile.isPending) {
    return (
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {[0, 1, 2].map((i) => <Skeleton key={i} className="h-56" />)}
      </div>
    );
  }
  if (statistics.length === 0) return <EmptyState title={`${column} has no statistics in ${probe}`}>The column is absent from the newest partition.</EmptyState>;
  return (
    <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" data-testid="column-charts" data-column={column}>
      {statistics.map((statistic) => (
        <StatisticChart key={statistic} relation={relation} column={column} statistic={statistic} threshold={threshold} />
      ))}
    </div>
  );
}

function StatisticChart({ relation, column, statistic, threshold }: { relation: string; column: string; statistic: string; threshold: number }) {
  const trpc = useTRPC();
  const series = useQuery(trpc.drift.series.queryOptions({ relation, column, statistic }));
  const rows = React.useMemo(() => (series.data ? seriesRows(series.data, floorOf(statistic)) : []), [series.data, statistic]);
  const axis = React.useMemo(() => yAxis(rows, isShare(statistic), floorOf(statistic)), [rows, statistic]);
  const flagged = flaggedCount(rows);
  return (
    <Card data-testid={`series-${statistic}`}>
      <CardHeader className="pb-0">
        <div className="min-w-0">
          <CardTitle className="flex items-center gap-2">
            <span className="truncate font-mono">{statistic}</span>
            {flagged > 0 && <Badge variant="destructive">{flagged} flagged</Badge>}
          </CardTitle>
          <CardDescription>band: history centre ± {threshold}·std</CardDescription>
        </div>
      </CardHeader>
      <CardContent className="h-48 pt-2">
        {series.isPending ? (
          <Skeleton className="h-full w-full" />
        ) : series.isError ? (
          <ErrorState error={series.error} className="py-2" />
        ) : axis === null ? (
          <EmptyState title="No values" className="py-4" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={rows} margin={{ top: 6, right: 6, left: -12, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="partition" {...axisProps} minTickGap={24} />
              <YAxis domain={axis.domain} ticks={axis.ticks} interval={0} allowDataOverflow={isShare(statistic)} tickFormatter={(v: number) => (isShare(statistic) ? `${Math.round(v * 100)}%` : formatTick(v))} {...axisProps} width={52} />
              <Tooltip content={<SeriesTooltip statistic={statistic} />} />
              <Area dataKey="band" stroke="none" fill="var(--chart-2)" fillOpacity={0.18} isAnimationActive={false} connectNulls={false} name="history band" />
              <Line dataKey="mean" stroke="var(--chart-2)" strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls={false} name="history centre" />
              <Line dataKey="value" stroke="var(--chart-1)" strokeWidth={1.5} dot={{ r: 1.5 }} isAnimationActive={false} connectNulls={false} name={statistic} />
              <Line dataKey="flagged" stroke="none" dot={{ r: 4, fill: "var(--destructive)", stroke: "var(--card)", strokeWidth: 1 }} activeDot={false} isAnimationActive={false} name="flagged" />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </CardContent>
    </Card>
  );
}

function SeriesTooltip({ statistic, active, payload }: { statistic: string; active?: boolean; payload?: readonly { payload?: SeriesRow }[] }) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  return (
    <div className="rounded-md border bg-card px-2.5 py-1.5 text-xs shadow-md">
      <div className="font-mono font-medium">{row.partition}</div>
      <div>
        {statistic}: <span className="tabular-nums">{formatStat(statistic, row.value)}</span>
        {row.flagged !== null && <span className="ml-1 text-destructive">flagged</span>}
      </div>
      {row.band && (
        <div className="text-muted-foreground">
          history {formatStat(statistic, row.mean)} (band {formatStat(statistic, row.band[0])} – {formatStat(statistic, row.band[1])}), z = {formatZ(row.z)}
        </div>
      )}
    </div>
  );
}
