"use client";
import * as React from "react";
import {
  Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis,
} from "recharts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/states";
import { formatMs } from "@/lib/time";
import type { RouterOutputs } from "@/lib/trpc/types";
import { fitDurationRows, inferencesPerMinute, latencyRows, minuteTick, totals, type TriggerSeries } from "../prepare";

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "oklch(0.62 0.2 330)", "oklch(0.6 0.12 220)"];

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
  const perMinute = React.useMemo(() => (data ? inferencesPerMinute(series, from, to) : []), [data, series, from, to]);
  const latency = React.useMemo(() => latencyRows(series), [series]);
  const fits = React.useMemo(() => fitDurationRows(series), [series]);
  const sum = totals(series);
  const tick = (t: number) => minuteTick(t, span);
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
      <ChartCard testId="chart-inferences" title="Inferences per minute" description={`${sum.inferences.toLocaleString()} in range`}>
        {sum.inferences === 0 ? (
          <EmptyState title="No inferences in this range" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={perMinute} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" tickFormatter={tick} {...axisProps} minTickGap={32} />
              <YAxis allowDecimals={false} {...axisProps} />
              <Tooltip labelFormatter={label} {...tooltipStyle} />
              {names.map((n, i) => (
                <Area key={n} type="monotone" dataKey={n} stackId="1" stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]} fillOpacity={0.25} isAnimationActive={false} />
              ))}
              {names.length > 1 && <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />}
            </AreaChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
      <ChartCard testId="chart-latency" title="Infer latency" description={`p50 and p99 per minute${sum.worstP99 != null ? ` · worst p99 ${formatMs(sum.worstP99)}` : ""}`}>
        {latency.length === 0 ? (
          <EmptyState title="No latency samples yet" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={latency} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" tickFormatter={tick} {...axisProps} minTickGap={32} />
              <YAxis tickFormatter={(v: number) => formatMs(v)} {...axisProps} width={64} />
              <Tooltip labelFormatter={label} formatter={(v) => formatMs(Number(v))} {...tooltipStyle} />
              {names.flatMap((n, i) => [
                <Line key={`${n}:p50`} name={`${n} p50`} dataKey={`${n}:p50`} stroke={COLORS[i % COLORS.length]} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />,
                <Line key={`${n}:p99`} name={`${n} p99`} dataKey={`${n}:p99`} stroke={COLORS[i % COLORS.length]} strokeDasharray="4 3" dot={false} connectNulls isAnimationActive={false} />,
              ])}
              <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
      <ChartCard testId="chart-fits" title="Fit durations" description={`Longest fit per minute · ${data.triggers.reduce((a, t) => a + t.totals.fits, 0)} fit runs in range`}>
        {fits.length === 0 ? (
          <EmptyState title="No fits finished in this range" />
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <ScatterChart margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" tickFormatter={tick} {...axisProps} minTickGap={32} name="time" />
              <YAxis type="number" dataKey="d" tickFormatter={(v: number) => formatMs(v)} {...axisProps} width={64} name="duration" />
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
