"use client";
import * as React from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ArrowRight } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RequireRole } from "@/features/auth/role";
import { defaultPick, parseComparePick, qualitySeries, verdict } from "../compare";
import { OutcomesCompare } from "./outcomes-compare";
import { EvaluationCompare } from "./evaluation-compare";
import { FittedBetween, KeyChanges } from "./version-diff-view";
import { RollbackDialog } from "./rollback-dialog";
import { CandidatePanel } from "./candidate-panel";
import { VariantsCompare } from "./variants-compare";
import { OutcomesOverTime } from "./outcomes-over-time";

const axisProps = { stroke: "var(--muted-foreground)", fontSize: 10, tickLine: false, axisLine: false } as const;
const pct = (x: number) => `${Math.round(x * 100)}%`;

const VERDICT_TEXT = {
  better: { text: "credibly better", variant: "success" },
  worse: { text: "credibly worse", variant: "destructive" },
  unclear: { text: "no credible difference yet", variant: "secondary" },
  "no-labels": { text: "not enough labels to tell", variant: "outline" },
} as const;

/** Two versions of a trigger side by side, on numbers: outcomes, quality over versions, the state diff. */
export function CompareView({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const info = useQuery(trpc.triggers.get.queryOptions({ trigger }));
  // The newest 200 versions' outcomes: the choices, and the quality chart.
  const history = useQuery(trpc.state.outcomes.queryOptions({ trigger, limit: 200 }, { refetchInterval: 15_000 }));
  const versions = React.useMemo(() => (history.data?.items ?? []).map((v) => v.version), [history.data]);
  const labeled = React.useMemo(() => new Set((history.data?.items ?? []).filter((v) => v.feedback.labeled > 0).map((v) => v.version)), [history.data]);
  const pick = React.useMemo(
    () => defaultPick(parseComparePick(new URLSearchParams(searchParams.toString())), info.data?.activeVersion ?? null, versions, labeled),
    [searchParams, info.data?.activeVersion, versions, labeled],
  );
  const set = (key: "a" | "b", value: string) => {
    const p = new URLSearchParams(searchParams.toString());
    p.set(key, value);
    if (pick) p.set(key === "a" ? "b" : "a", String(key === "a" ? pick.b : pick.a));
    router.replace(`${pathname}?${p.toString()}`, { scroll: false });
  };
  const pair = useQuery(trpc.state.outcomes.queryOptions({ trigger, versions: pick ? [pick.a, pick.b] : [] }, { enabled: !!pick }));
  const diff = useQuery(trpc.state.diff.queryOptions({ trigger, from: pick?.a ?? 0, to: pick?.b ?? 0 }, { enabled: !!pick, staleTime: 30_000 }));
  const byVersion = React.useMemo(() => new Map((pair.data?.items ?? []).map((v) => [v.version, v])), [pair.data]);
  const series = React.useMemo(() => qualitySeries(history.data?.items ?? []), [history.data]);
  const [moving, setMoving] = React.useState(false);

  if (history.isPending || info.isPending) return <div className="space-y-3 p-6"><Skeleton className="h-10" /><Skeleton className="h-64" /></div>;
  if (history.isError) return <ErrorState error={history.error} retry={() => history.refetch()} className="p-6" />;
  if (!pick) return <EmptyState title="Only one version" className="py-20">Compare needs two versions: the first fit of {trigger} makes the second.</EmptyState>;

  const options = versions.map((v) => ({ value: String(v), label: `v${v}${v === info.data?.activeVersion ? " (active)" : ""}${v === info.data?.latestVersion ? " (latest)" : ""}` }));
  const a = byVersion.get(pick.a);
  const b = byVersion.get(pick.b);
  const call = VERDICT_TEXT[verdict(a, b)];
  const active = info.data?.activeVersion ?? null;

  return (
    <div className="space-y-5 p-4 md:p-6" data-testid="compare-view">
      <div className="flex flex-wrap items-center gap-2">
        <Select aria-label="Version A" value={String(pick.a)} onValueChange={(v) => set("a", v)} options={options} className="w-44" />
        <ArrowRight className="size-4 text-muted-foreground" />
        <Select aria-label="Version B" value={String(pick.b)} onValueChange={(v) => set("b", v)} options={options} className="w-44" />
        <Badge variant={call.variant} data-testid="compare-verdict">good-rate of v{pick.b} vs v{pick.a}: {call.text}</Badge>
        {active !== null && pick.b !== active && (
          <RequireRole role="admin">
            <Button size="sm" className="ml-auto" onClick={() => setMoving(true)} data-testid="compare-move">
              Make v{pick.b} active…
            </Button>
          </RequireRole>
        )}
      </div>

      <CandidatePanel trigger={trigger} picked={pick.b} />

      <div className="grid gap-5 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <div>
              <CardTitle>Outcomes</CardTitle>
              <CardDescription>What infer did on each version and what labelers said (95% intervals).</CardDescription>
            </div>
          </CardHeader>
          <CardContent>{pair.isError ? <ErrorState error={pair.error} /> : <OutcomesCompare from={a} to={b} labels={[`v${pick.a}`, `v${pick.b}`]} />}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <div>
              <CardTitle>Good-rate over versions</CardTitle>
              <CardDescription>Each version&apos;s good-rate with its 95% interval band; versions without labels have no point.</CardDescription>
            </div>
          </CardHeader>
          <CardContent>
            <div className="h-56" data-testid="quality-chart">
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={series} margin={{ top: 6, right: 8, left: 0, bottom: 0 }}>
                  <CartesianGrid vertical={false} stroke="var(--border)" />
                  <XAxis dataKey="version" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} tickFormatter={(v: number) => `v${v}`} {...axisProps} />
                  <YAxis domain={[0, 1]} tickFormatter={pct} width={36} {...axisProps} />
                  <Tooltip
                    labelFormatter={(v) => `v${String(v)}`}
                    formatter={(value, name) => (name === "band" && Array.isArray(value) ? [`${pct(Number(value[0]))}–${pct(Number(value[1]))}`, "95% interval"] : [pct(Number(value)), "good-rate"])}
                    contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12, color: "var(--foreground)" }}
                  />
                  <Area dataKey="band" stroke="none" fill="var(--chart-1)" fillOpacity={0.15} connectNulls isAnimationActive={false} />
                  <Line dataKey="goodRate" stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <div>
            <CardTitle>Outcomes over time</CardTitle>
            <CardDescription>
              v{pick.a} and v{pick.b} per hour (ranges up to 7 days) or UTC day: inferences, good-rate with its 95% interval band, p99 latency. A label counts in the hour its inference was served, so recent buckets fill in as labels arrive.
            </CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <OutcomesOverTime trigger={trigger} sides={{ kind: "versions", a: pick.a, b: pick.b }} labels={[`v${pick.a}`, `v${pick.b}`]} />
        </CardContent>
      </Card>

      <EvaluationCompare trigger={trigger} a={pick.a} b={pick.b} />

      <VariantsCompare trigger={trigger} versions={versions} active={active} />

      <Card>
        <CardHeader>
          <div>
            <CardTitle>What differs in the state</CardTitle>
            <CardDescription>Keys added, removed and changed from v{pick.a} to v{pick.b}, and the fits on each side of their common ancestor.</CardDescription>
          </div>
        </CardHeader>
        <CardContent className="grid gap-2" data-testid="compare-diff">
          {diff.isPending ? (
            <Skeleton className="h-24" />
          ) : diff.isError ? (
            <ErrorState error={diff.error} retry={() => diff.refetch()} />
          ) : (
            <>
              <FittedBetween side={diff.data.dropped} verb={`Only in v${pick.a}'s line:`} testId="compare-dropped" />
              <FittedBetween side={diff.data.added} verb={`Only in v${pick.b}'s line:`} testId="compare-added" />
              <KeyChanges diff={diff.data} />
            </>
          )}
        </CardContent>
      </Card>
      {moving && active !== null && <RollbackDialog trigger={trigger} from={active} to={pick.b} onClose={() => setMoving(false)} />}
    </div>
  );
}
