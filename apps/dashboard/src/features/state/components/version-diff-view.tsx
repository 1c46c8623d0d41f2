"use client";
import * as React from "react";
import Link from "next/link";
import type { RouterOutputs } from "@/lib/trpc/types";
import { Badge } from "@/components/ui/badge";
import { formatBytes, formatCount } from "@/lib/time";
import { formatPath } from "../outcome-format";

type VersionDiff = RouterOutputs["state"]["diff"];
type Side = VersionDiff["dropped"];

const CHANGE_VARIANT = { added: "success", removed: "destructive", changed: "warning" } as const;

/** State keys that differ between the two versions, with sizes, checksums and JSON changes. */
export function KeyChanges({ diff }: { diff: VersionDiff }) {
  if (diff.keys.length === 0) {
    return <p className="text-xs text-muted-foreground" data-testid="diff-keys">Same state: all {formatCount(diff.unchanged)} keys are identical.</p>;
  }
  return (
    <div className="space-y-2" data-testid="diff-keys">
      <p className="text-xs text-muted-foreground">
        {formatCount(diff.keys.length)} key{diff.keys.length === 1 ? "" : "s"} differ{diff.keys.length === 1 ? "s" : ""}
        {diff.keysTruncated && " (first 500 shown)"}, {formatCount(diff.unchanged)} unchanged.
      </p>
      {diff.keys.map((k) => (
        <details key={k.key} className="rounded-md border text-xs" data-testid={`diff-key-${k.key}`} open={diff.keys.length <= 3}>
          <summary className="flex cursor-pointer flex-wrap items-center gap-2 bg-muted/30 px-2 py-1.5">
            <span className="font-mono font-medium">{k.key}</span>
            <Badge variant={CHANGE_VARIANT[k.change]}>{k.change}</Badge>
            <span className="ml-auto text-muted-foreground tabular-nums">
              {k.size.from === null ? "—" : formatBytes(k.size.from)} → {k.size.to === null ? "—" : formatBytes(k.size.to)}
            </span>
            <span className="font-mono text-muted-foreground" title="checksums (now → after)">
              {k.checksum.from?.slice(0, 8) ?? "—"} → {k.checksum.to?.slice(0, 8) ?? "—"}
            </span>
          </summary>
          <div className="px-2 py-1.5">
            {k.json ? (
              <ul className="space-y-0.5 font-mono">
                {k.json.changes.map((c, i) => (
                  <li key={i} className="break-all">
                    <span className={c.op === "add" ? "text-success" : c.op === "remove" ? "text-destructive" : "text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]"}>
                      {c.op === "add" ? "+" : c.op === "remove" ? "−" : "~"}
                    </span>{" "}
                    <span className="text-muted-foreground">{formatPath(c.path)}</span>{" "}
                    {c.op === "change" ? <>{c.from} → {c.to}</> : c.op === "add" ? c.to : c.from}
                  </li>
                ))}
                {k.json.truncated && <li className="text-muted-foreground">… more changes not shown</li>}
              </ul>
            ) : (
              <p className="text-muted-foreground">{k.note}</p>
            )}
          </div>
        </details>
      ))}
    </div>
  );
}

/** The fits on one side of the common ancestor: rows and labels a move drops or brings. */
export function FittedBetween({ side, verb, testId }: { side: Side; verb: string; testId: string }) {
  if (side.fitsTotal === 0) return null;
  const relations = Object.entries(side.byRelation).sort((a, b) => b[1] - a[1]);
  return (
    <div className="space-y-1 text-xs" data-testid={testId}>
      <p>
        <span className="font-medium">{verb}</span> {formatCount(side.fitsTotal)} fit{side.fitsTotal === 1 ? "" : "s"} (v{side.versions[side.versions.length - 1]}–v{side.versions[0]}):{" "}
        {relations.map(([rel, n], i) => (
          <span key={rel}>{i > 0 && ", "}{formatCount(n)} {rel} row{n === 1 ? "" : "s"}</span>
        ))}
        {side.labels > 0 && side.labelCounts && (
          <span className="text-muted-foreground"> — labels: {formatCount(side.labelCounts.good)} good, {formatCount(side.labelCounts.bad)} bad, {formatCount(side.labelCounts.corrected)} with a correction</span>
        )}
      </p>
      <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-muted-foreground">
        {side.fits.slice(0, 12).map((f) => (
          <li key={f.runId}>
            <Link href={`/fits/${f.runId}`} className="font-mono hover:underline">v{f.version}</Link> {f.relation} ×{formatCount(f.rowCount)}
          </li>
        ))}
        {side.fitsTotal > 12 && <li>… {formatCount(side.fitsTotal - 12)} more</li>}
      </ul>
    </div>
  );
}
