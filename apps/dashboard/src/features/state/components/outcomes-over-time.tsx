"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Area, CartesianGrid, ComposedChart, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/lib/trpc/client";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { formatMs } from "@/lib/time";
import { bucketLabel, OVER_TIME_RANGES, overTimeRows, type OverTimeRange } from "../over-time";

const HOUR = 3_600_000;
const axisProps = { stroke: "var(--muted-foreground)", fontSize: 10, tickLine: false, axisLine: false } as const;
const tooltipStyle = { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12, color: "var(--foreground)" };
const pct = (x: number) => `${Math.round(x * 100)}%`;
const COLORS = { a: "var(--chart-1)", b: "var(--chart-2)" } as const;

/** Two versions of a trigger, or two params hashes on one version. */
export type OverTimeSides = { kind: "versions"; a: number; b: number } | { kind: "params"; a: string; b: string; version: number };

/**
 * The two sides' outcomes over time on one shared axis: inferences per bucket, good-rate with
 * its 95% band, p99 latency. Hours up to 7 days, UTC days beyond; a label counts in the bucket
 * of the inference it labels.
 */
export function OutcomesOverTime({ trigger, sides, labels, testId = "over-time" }: { trigger: string; sides: OverTimeSides; labels: [string, string]; testId?: string }) {
  const trpc = useTRPC();
  const [range, setRange] = React.useState<OverTimeRange>("7d");
  const ms = OVER_TIME_RANGES.find((r) => r.value === range)!.ms;
  // From the next whole hour after now − range (stable within the hour, so is the query key);
  // `to` defaults to now on the server, so the range is at most `ms` and keeps its bucket size.
  const hour = Math.floor(Date.now() / HOUR);
  const from = React.useMemo(() => new Date((hour + 1) * HOUR - ms), [hour, ms]);
  const input =
    sides.kind === "versions"
      ? { trigger, versions: sides.a === sides.b ? [sides.a] : [sides.a, sides.b], from }
      : { trigger, paramsHashes: sides.a === sides.b ? [sides.a] : [sides.a, sides.b], version: sides.version, from };
  const query = useQuery(trpc.state.outcomesOverTime.queryOptions(input, { refetchInterval: 60_000 }));
  const chart = React.useMemo(() => {
    if (!query.data) return null;
    const find = (key: number | string) => query.data.series.find((s) => (sides.kind === "versions" ? s.version === key : s.paramsHash === key))?.points ?? [];
    return overTimeRows(find(sides.a), find(sides.b), { from: query.data.from.getTime(), to: query.data.to.getTime(), bucketMs: query.data.bucketMs });
  }, [query.data, sides]);

  const header = (
    <div className="flex flex-wrap items-center gap-3 text-xs">
      {(["a", "b"] as const).map((side, i) => (
        <span key={side} className="inline-flex items-center gap-1.5" data-testid={`${testId}-series-${side}`} data-points={chart?.points[side] ?? 0} data-rated={chart?.rated[side] ?? 0}>
          <span className="inline-block h-0.5 w-4 rounded" style={{ background: COLORS[side] }} />
          {labels[i]}
          {chart && <span className="text-muted-foreground">({chart.points[side]} {query.data?.bucket ?? "hour"}{chart.points[side] === 1 ? "" : "s"} with data)</span>}
        </span>
      ))}
      <Select aria-label="Over-time range" value={range} onValueChange={(v) => setRange(v as OverTimeRange)} options={OVER_TIME_RANGES.map((r) => ({ value: r.value, label: r.label }))} className="ml-auto w-40" />
    </div>
  );
  if (query.isPending) return <div className="space-y-3">{header}<Skeleton className="h-40" /></div>;
  if (query.isError) return <div className="space-y-3">{header}<ErrorState error={query.error} retry={() => query.refetch()} /></div>;
  if (!chart || chart.empty) {
    return (
      <div className="space-y-3" data-testid={testId}>
        {header}
        <EmptyState title="Nothing in this range" className="py-10">
          Neither {labels[0]} nor {labels[1]} served an inference in the {OVER_TIME_RANGES.find((r) => r.value === range)!.label.toLowerCase()}.
        </EmptyState>
      </div>
    );
  }
  const bucket = query.data.bucket;
  const xAxis = <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(t: number) => bucketLabel(t, bucket)} minTickGap={40} {...axisProps} />;
  const tooltip = (format: (v: number) => string) => (
    <Tooltip
      labelFormatter={(t) => `${bucketLabel(Number(t), bucket)} UTC`}
      formatter={(value, name) => {
        const side = String(name).startsWith("a") ? labels[0] : labels[1];
        if (Array.isArray(value)) return [`${pct(Number(value[0]))}–${pct(Number(value[1]))}`, `${side} 95% interval`];
        return [format(Number(value)), side];
      }}
      contentStyle={tooltipStyle}
    />
  );
  const common = { data: chart.rows, margin: { top: 6, right: 8, left: 0, bottom: 0 }, syncId: `${testId}-sync` };
  return (
    <div className="space-y-3" data-testid={testId} data-bucket={bucket}>
      {header}
      <div className="grid gap-4 lg:grid-cols-3">
        <figure className="space-y-1">
          <figcaption className="text-muted-foreground text-xs">Inferences per {bucket}</figcaption>
          <div className="h-44" data-testid={`${testId}-inferences`}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart {...common}>
                <CartesianGrid vertical={false} stroke="var(--border)" />
                {xAxis}
                <YAxis allowDecimals={false} width={36} {...axisProps} />
                {tooltip((v) => String(v))}
                <Line dataKey="aInferences" stroke={COLORS.a} strokeWidth={2} dot={false} isAnimationActive={false} />
                <Line dataKey="bInferences" stroke={COLORS.b} strokeWidth={2} dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </figure>
        <figure className="space-y-1">
          <figcaption className="text-muted-foreground text-xs">Good-rate with its 95% interval (labels in their inference&apos;s {bucket})</figcaption>
          <div className="h-44" data-testid={`${testId}-quality`}>
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart {...common}>
                <CartesianGrid vertical={false} stroke="var(--border)" />
                {xAxis}
                <YAxis domain={[0, 1]} tickFormatter={pct} width={36} {...axisProps} />
                {tooltip(pct)}
                <Area dataKey="aBand" stroke="none" fill={COLORS.a} fillOpacity={0.15} isAnimationActive={false} />
                <Area dataKey="bBand" stroke="none" fill={COLORS.b} fillOpacity={0.15} isAnimationActive={false} />
                <Line dataKey="aGoodRate" stroke={COLORS.a} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
                <Line dataKey="bGoodRate" stroke={COLORS.b} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        </figure>
        <figure className="space-y-1">
          <figcaption className="text-muted-foreground text-xs">Infer p99 latency</figcaption>
          <div className="h-44" data-testid={`${testId}-latency`}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart {...common}>
                <CartesianGrid vertical={false} stroke="var(--border)" />
                {xAxis}
                <YAxis tickFormatter={(v: number) => formatMs(v)} width={48} {...axisProps} />
                {tooltip((v) => formatMs(v))}
                <Line dataKey="aP99" stroke={COLORS.a} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
                <Line dataKey="bP99" stroke={COLORS.b} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </figure>
      </div>
    </div>
  );
}
