"use client";
import * as React from "react";
import type { RouterOutputs } from "@/lib/trpc/types";
import { formatCount, formatMs } from "@/lib/time";
import { formatGoodRate, formatInterval, formatRate } from "../outcome-format";

type FullOutcomes = RouterOutputs["state"]["outcomes"]["items"][number];
/** A version's figures, or one params hash's on a version (no fit, no version of its own). */
export type VersionOutcomes = Omit<FullOutcomes, "version" | "parent" | "createdAt" | "fit" | "byParams"> & { version?: number; fit?: FullOutcomes["fit"] };

/** Two versions' (or two params variants') outcomes side by side: what infer did on each, and what labelers said about it. */
export function OutcomesCompare({ from, to, labels, testId = "outcomes-compare" }: { from: VersionOutcomes | undefined; to: VersionOutcomes | undefined; labels?: [string, string]; testId?: string }) {
  const rows: { label: string; value: (v: VersionOutcomes) => React.ReactNode }[] = [
    { label: "Inferences", value: (v) => formatCount(v.inferences) },
    {
      label: "Good-rate (95% interval)",
      value: (v) => (
        <>
          {formatGoodRate(v.feedback)}
          {v.feedback.interval && <span className="ml-1 text-muted-foreground">{formatInterval(v.feedback)}</span>}
        </>
      ),
    },
    { label: "Labels (good / bad / corrected)", value: (v) => `${formatCount(v.feedback.good)} / ${formatCount(v.feedback.bad)} / ${formatCount(v.feedback.corrected)}` },
    { label: "Infer p50 / p99", value: (v) => (v.latencyMs ? `${formatMs(v.latencyMs.p50)} / ${formatMs(v.latencyMs.p99)}` : "—") },
    { label: "Error rate", value: (v) => formatRate(v.errorRate) },
    { label: "Cache hits", value: (v) => formatRate(v.cacheHitRate) },
    {
      label: "Fit metrics",
      value: (v) =>
        v.fit?.metrics && Object.keys(v.fit.metrics).length
          ? Object.entries(v.fit.metrics).map(([k, m]) => `${k} ${Number.isInteger(m) ? m : m.toFixed(3)}`).join(" · ")
          : "—",
    },
  ];
  return (
    <table className="w-full text-xs" data-testid={testId}>
      <thead>
        <tr className="text-muted-foreground">
          <th className="py-1 text-left font-normal" />
          <th className="py-1 text-right font-medium">{labels?.[0] ?? `now v${from?.version ?? "…"}`}</th>
          <th className="py-1 text-right font-medium">{labels?.[1] ?? `after v${to?.version ?? "…"}`}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} className="border-t">
            <td className="py-1 pr-2 text-muted-foreground">{r.label}</td>
            <td className="py-1 text-right tabular-nums">{from ? r.value(from) : "…"}</td>
            <td className="py-1 text-right tabular-nums">{to ? r.value(to) : "…"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
