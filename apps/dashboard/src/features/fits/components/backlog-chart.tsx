"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { formatCount } from "@/lib/time";
import { formatTick } from "@/lib/axis-format";
import { prepareBacklog } from "../backlog";

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "oklch(0.62 0.2 330)", "oklch(0.6 0.12 220)"];
const axisProps = { stroke: "var(--muted-foreground)", fontSize: 11, tickLine: false, axisLine: false } as const;
const tooltipStyle = {
  contentStyle: { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12, color: "var(--foreground)" },
  labelStyle: { color: "var(--muted-foreground)" },
};

/** Window choices: span and the bucket width that keeps the chart at ≤ 120 bars. */
const WINDOWS = [
  { value: "60", label: "Last hour", windowMinutes: 60, bucketMinutes: 1 },
  { value: "360", label: "Last 6 hours", windowMinutes: 360, bucketMinutes: 5 },
  { value: "1440", label: "Last 24 hours", windowMinutes: 1440, bucketMinutes: 15 },
  { value: "10080", label: "Last 7 days", windowMinutes: 10080, bucketMinutes: 60 },
] as const;

/**
 * Backlog growth of one trigger's fit routes: the rows waiting at each bucket's end (a line per
 * route), rows added (up) and fitted or shed (down) per bucket, the backpressure bound as a
 * dashed line, and the current backlog in the header. Samples come from fit processes, once a
 * minute.
 */
export function BacklogChart({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const [windowValue, setWindowValue] = React.useState<string>("60");
  const w = WINDOWS.find((x) => x.value === windowValue) ?? WINDOWS[0];
  const q = useQuery(trpc.fits.backlog.queryOptions({ trigger, windowMinutes: w.windowMinutes, bucketMinutes: w.bucketMinutes }, { refetchInterval: 15_000, placeholderData: (p) => p }));
  const prepared = React.useMemo(() => (q.data ? prepareBacklog(q.data.routes) : null), [q.data]);
  if (q.isError) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  if (!q.data || !prepared) return <Skeleton className="h-72" />;
  if (prepared.routes.length === 0) return null; // no fit routes: nothing ever waits
  const span = w.windowMinutes * 60_000;
  const tick = (t: number) => {
    const d = new Date(t);
    return span > 86_400_000 ? d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  };
  const per = w.bucketMinutes === 1 ? "minute" : `${w.bucketMinutes} minutes`;
  return (
    <Card data-testid="backlog-chart">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2 pb-0">
        <div>
          <CardTitle>Backlog of {trigger}</CardTitle>
          <CardDescription>
            Rows waiting for a fit at the end of each {per}; rows added and fitted per {per}. {formatCount(prepared.totals.added)} added, {formatCount(prepared.totals.fitted)} fitted
            {prepared.totals.shed ? `, ${formatCount(prepared.totals.shed)} shed` : ""} in range.
          </CardDescription>
          <ul className="mt-1 flex flex-wrap gap-x-4 text-xs" data-testid="backlog-current">
            {prepared.routes.map((r) => (
              <li key={r.route} data-testid={`backlog-current-${r.route}`} className={r.full ? "text-destructive" : undefined}>
                <span className="font-medium">{r.route}</span>: <span data-testid="backlog-now">{formatCount(r.current)}</span> waiting now
                {r.claimed ? ` (+${formatCount(r.claimed)} fitting)` : ""}
                {r.bound !== null ? (
                  <>
                    {" "}
                    of bound <span data-testid="backlog-bound">{formatCount(r.bound)}</span> ({r.onFull})
                  </>
                ) : (
                  " · no backpressure bound"
                )}
              </li>
            ))}
          </ul>
        </div>
        <Select aria-label="Backlog window" value={windowValue} onValueChange={setWindowValue} options={WINDOWS.map((x) => ({ value: x.value, label: x.label }))} className="w-40" />
      </CardHeader>
      <CardContent className="h-64 pt-2">
        {!prepared.hasSamples ? (
          <EmptyState title="No backlog samples in this range">Fit processes sample every route&apos;s backlog once a minute.</EmptyState>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={prepared.rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }} stackOffset="sign">
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} {...axisProps} />
              <YAxis allowDecimals={false} tickFormatter={formatTick} width={48} domain={[(min: number) => Math.min(0, min), Math.ceil(prepared.yMax * 1.05) || 1]} {...axisProps} />
              <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} formatter={(v) => formatCount(Math.abs(Number(v)))} {...tooltipStyle} />
              <Bar dataKey="added" name="added" stackId="flow" fill="var(--chart-2)" fillOpacity={0.5} isAnimationActive={false} />
              <Bar dataKey="fitted" name="fitted" stackId="flow" fill="var(--chart-3)" fillOpacity={0.5} isAnimationActive={false} />
              {prepared.totals.shed > 0 && <Bar dataKey="shed" name="shed" stackId="flow" fill="oklch(0.6 0.2 15)" fillOpacity={0.6} isAnimationActive={false} />}
              {prepared.routes.map((r, i) => (
                <Line key={r.key} type="stepAfter" dataKey={r.key} name={`${r.route} waiting`} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot={false} isAnimationActive={false} />
              ))}
              {prepared.bounds.map((b) => (
                <ReferenceLine key={`bound:${b.value}`} y={b.value} stroke="var(--destructive)" strokeDasharray="6 4" label={{ value: `bound ${formatCount(b.value)} (${b.routes.join(", ")})`, position: "insideTopRight", fontSize: 11, fill: "var(--muted-foreground)" }} />
              ))}
              <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </CardContent>
    </Card>
  );
}
