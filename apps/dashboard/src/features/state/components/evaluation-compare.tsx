"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { formatTick } from "@/lib/axis-format";
import { evaluationRows } from "../evaluation";

const signed = (x: number) => `${x > 0 ? "+" : x < 0 ? "−" : "±"}${formatTick(Math.abs(x))}`;

/** The trigger's own metrics (its `evaluate`) on the labeled outputs of two versions. */
export function EvaluationCompare({ trigger, a, b }: { trigger: string; a: number; b: number }) {
  const trpc = useTRPC();
  const result = useQuery(trpc.state.evaluate.queryOptions({ trigger, versions: [a, b] }, { staleTime: 30_000 }));
  if (result.isPending) return <Skeleton className="h-32" />;
  if (result.isError) return <ErrorState error={result.error} retry={() => result.refetch()} />;
  if (!result.data.declared) return null;
  const byVersion = new Map(result.data.versions.map((v) => [v.version, v]));
  const va = byVersion.get(a);
  const vb = byVersion.get(b);
  const rows = evaluationRows(va, vb);
  const errors = [va, vb].filter((v) => v?.error);
  return (
    <Card data-testid="evaluation-compare">
      <CardHeader>
        <div>
          <CardTitle>The app&apos;s evaluation</CardTitle>
          <CardDescription>
            What {trigger}&apos;s <code>evaluate</code> says of each version, from the latest labels on the outputs it served
            (v{a}: {va?.examples ?? 0} labeled, v{b}: {vb?.examples ?? 0} labeled).
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-2">
        {errors.map((v) => (
          <p key={v!.version} className="text-sm text-destructive">v{v!.version}: evaluate failed: {v!.error}</p>
        ))}
        {rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">No labels on either version&apos;s outputs yet.</p>
        ) : (
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-muted-foreground">
                <th className="py-1 font-medium">Metric</th>
                <th className="py-1 text-right font-medium">v{a}</th>
                <th className="py-1 text-right font-medium">v{b}</th>
                <th className="py-1 text-right font-medium">Change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.metric} className="border-t" data-testid="evaluation-row">
                  <td className="py-1 font-mono text-xs">{r.metric}</td>
                  <td className="py-1 text-right tabular-nums">{r.a === null ? "—" : formatTick(r.a)}</td>
                  <td className="py-1 text-right tabular-nums">{r.b === null ? "—" : formatTick(r.b)}</td>
                  <td className="py-1 text-right tabular-nums text-muted-foreground">{r.delta === null ? "" : signed(r.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </CardContent>
    </Card>
  );
}
