"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { LineChart as LineChartIcon } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { formatTick } from "@/lib/axis-format";
import { metricSeries } from "../fit-metrics";

const axisProps = { stroke: "var(--muted-foreground)", fontSize: 10, tickLine: false, axisLine: false } as const;

/** What the fits reported (`report({...})`), one small chart per metric across versions. */
export function FitMetricsCard({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const fits = useQuery(trpc.fits.list.queryOptions({ trigger, status: "succeeded", limit: 200 }, { refetchInterval: 15_000 }));
  const series = React.useMemo(() => metricSeries(fits.data?.items ?? []), [fits.data]);
  return (
    <Card data-testid="fit-metrics">
      <CardHeader>
        <div>
          <CardTitle className="flex items-center gap-2"><LineChartIcon className="size-4" /> Fit metrics</CardTitle>
          <CardDescription>What each fit reported, by the version it produced (the last 200 successful fits).</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {fits.isPending ? (
          <Skeleton className="h-40" />
        ) : fits.isError ? (
          <ErrorState error={fits.error} retry={() => fits.refetch()} />
        ) : series.length === 0 ? (
          <p className="text-sm text-muted-foreground">No fit of {trigger} has reported a numeric metric yet.</p>
        ) : (
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
            {series.map((s) => (
              <div key={`${s.route}:${s.name}`} className="min-w-0 rounded-md border p-2" data-testid="fit-metric">
                <div className="flex items-baseline justify-between gap-2 px-1">
                  <span className="truncate font-mono text-xs" title={`${s.name} (route ${s.route})`} data-testid="fit-metric-name">{s.name}</span>
                  <span className="text-sm font-semibold tabular-nums" data-testid="fit-metric-latest">
                    {formatTick(s.latest)}
                    {s.change !== null && s.change !== 0 && (
                      <span className="ml-1 text-xs font-normal text-muted-foreground">{s.change > 0 ? "+" : ""}{formatTick(s.change)}</span>
                    )}
                  </span>
                </div>
                <div className="h-24">
                  <ResponsiveContainer width="100%" height="100%">
                    <LineChart data={s.points} margin={{ top: 6, right: 6, left: 0, bottom: 0 }}>
                      <CartesianGrid vertical={false} stroke="var(--border)" />
                      <XAxis dataKey="version" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} tickFormatter={(v: number) => `v${v}`} {...axisProps} />
                      <YAxis tickFormatter={formatTick} width={40} domain={["auto", "auto"]} {...axisProps} />
                      <Tooltip
                        labelFormatter={(v) => `v${String(v)}`}
                        formatter={(v) => [formatTick(Number(v)), s.name]}
                        contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12, color: "var(--foreground)" }}
                      />
                      <Line dataKey="value" stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </div>
              </div>
            ))}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
