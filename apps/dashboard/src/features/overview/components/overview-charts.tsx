"use client";
import * as React from "react";
import {
  Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis,
} from "recharts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/states";
import { formatMs } from "@/lib/time";
import { formatMsTick, formatTick } from "@/lib/axis-format";
import type { RouterOutputs } from "@/lib/trpc/types";
import { bucketLabel, fitDurationRows, inferencesPerMinute, latencyRows, minuteTick, timeTicks, totals, type TriggerSeries } from "../prepare";

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "oklch(0.62 0.2 330)", "oklch(0.6 0.12 220)"];
/** p99 lines: warm hues, never a trigger's p50 colour. */
const P99_COLORS = ["oklch(0.65 0.19 40)", "oklch(0.6 0.2 15)", "oklch(0.7 0.16 75)", "oklch(0.55 0.2 350)", "oklch(0.62 0.15 100)"];

type Overview = RouterOutputs["stats"]["overview"];

export function toSeries(data: Overview): TriggerSeries[] {
  return data.triggers.map((t) => ({
    trigger: t.trigger,
    minutes: t.series.map((m) => ({ minute: m.t, inferences: m.inferences, latencyP50: m.latencyP50, latencyP99: m.latencyP99 })),
    fits: t.series.filter((m) => m.fits > 0).map((m) => ({ at: m.t, durationMs: m.fitDurationMax ?? m.fitDurationP50 })),
  }));
}

const axisProps = { stroke: "var(--muted-foreground)", fontSize: 11, tickLine: false, axisLine: false } as const;
const tooltipStyle = {
  contentStyle: { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12, color: "var(--foreground)" },
  labelStyle: { color: "var(--muted-foreground)" },
};

function ChartCard({ title, description, children, testId }: { title: string; description: string; children: React.ReactNode; testId: string }) {
  return (
    <Card data-testid={testId}>
      <CardHeader className="pb-0">
        <div>
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
      </CardHeader>
      <CardContent className="h-56 pt-2">{children}</CardContent>
    </Card>
  );
}

export function OverviewCharts({ data, minutes, loading }: { data: Overview | undefined; minutes: number; loading: boolean }) {
  const series = React.useMemo(() => (data ? toSeries(data) : []), [data]);
  const to = data ? new Date(data.to).getTime() : 0;
  const from = data ? new Date(data.from).getTime() : 0;
  const span = minutes * 60_000;
  const bucketMinutes = data?.bucketMinutes ?? 1;
  const bucketMs = bucketMinutes * 60_000;
  const per = bucketLabel(bucketMinutes);
  const perMinute = React.useMemo(() => (data ? inferencesPerMinute(series, from, to - 1, bucketMs) : []), [data, series, from, to, bucketMs]);
  const latency = React.useMemo(() => latencyRows(series, bucketMs), [series, bucketMs]);
  // One time axis for all three charts: same domain, same ticks.
  const ticks = React.useMemo(() => timeTicks(from, to), [from, to]);
  const xAxis = { dataKey: "t", type: "number" as const, domain: [from, to], allowDataOverflow: true, scale: "time" as const, ticks, tickFormatter: (t: number) => minuteTick(t, span), interval: 0 as const, ...axisProps };
  const fits = React.useMemo(() => fitDurationRows(series), [series]);
  const sum = totals(series);
  const label = (t: unknown) => new Date(Number(t)).toLocaleString();
  const names = series.map((s) => s.trigger);

  if (loading || !data) {
    return (
      <div className="grid gap-4 lg:grid-cols-3">
        {[0, 1, 2].map((i) => <Skeleton key={i} className="h-72" />)}
      </div>
    );
  }
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <ChartCard testId="chart-inferences" title={`Inferences per ${per}`} description={`${sum.inferences.toLocaleString()} in range`}>
        {sum.inferences === 0 ? (
          <EmptyState title="No inferences in this range" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={perMinute} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis {...xAxis} />
              <YAxis allowDecimals={false} tickFormatter={formatTick} width={48} {...axisProps} />
              <Tooltip labelFormatter={label} {...tooltipStyle} />
              {names.map((n, i) => (
                <Area key={n} type="monotone" dataKey={n} stackId="1" stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]} fillOpacity={0.25} isAnimationActive={false} />
              ))}
              {names.length > 1 && <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />}
            </AreaChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
      <ChartCard testId="chart-latency" title="Infer latency" description={`p50 and p99 per ${per} (within ${Math.round(data.latencyRelativeError * 100)}%)${sum.worstP99 != null ? ` · worst p99 ${formatMs(sum.worstP99)}` : ""}`}>
        {latency.length === 0 ? (
          <EmptyState title="No latency samples yet" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={latency} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis {...xAxis} />
              <YAxis tickFormatter={formatMsTick} {...axisProps} width={64} />
              <Tooltip labelFormatter={label} formatter={(v) => formatMs(Number(v))} {...tooltipStyle} />
              {names.flatMap((n, i) => [
                <Line key={`${n}:p50`} name={`${n} p50`} dataKey={`${n}:p50`} stroke={COLORS[i % COLORS.length]} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />,
                <Line key={`${n}:p99`} name={`${n} p99`} dataKey={`${n}:p99`} stroke={P99_COLORS[i % P99_COLORS.length]} strokeDasharray="4 3" dot={false} connectNulls isAnimationActive={false} />,
              ])}
              <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
      <ChartCard testId="chart-fits" title="Fit durations" description={`Longest fit per ${per} · ${data.triggers.reduce((a, t) => a + t.totals.fits, 0)} fit runs in range${data.truncated ? " (only the first 200,000 shown: more finished)" : ""}`}>
        {fits.length === 0 ? (
          <EmptyState title="No fits finished in this range" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <ScatterChart margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis {...xAxis} name="time" />
              <YAxis type="number" dataKey="d" tickFormatter={formatMsTick} {...axisProps} width={64} name="duration" />
              <Tooltip labelFormatter={label} formatter={(v, n) => (n === "duration" ? formatMs(Number(v)) : new Date(Number(v)).toLocaleTimeString())} {...tooltipStyle} />
              {names.map((n, i) => (
                <Scatter
                  key={n}
                  name={n}
                  data={fits.filter((r) => r[n] != null).map((r) => ({ t: r.t, d: r[n] }))}
                  fill={COLORS[i % COLORS.length]}
                  isAnimationActive={false}
                />
              ))}
              {names.length > 1 && <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />}
            </ScatterChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
    </div>
  );
}
