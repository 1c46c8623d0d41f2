"use client";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/relative-time";
import { formatMs } from "@/lib/time";
import { logSummary, outcomeLabel, runTimeline, type RunHistoryInput, type TimelineItem } from "../attempts";
import { FitLogs } from "./fit-logs";

/** Every attempt of a run (failed ones with their error, stack and logs), operators' retries and the end. */
export function AttemptHistory({ run }: { run: RunHistoryInput }) {
  const items = runTimeline(run);
  if (items.length === 0) return <p className="text-sm text-muted-foreground">No attempt on record.</p>;
  return (
    <ol className="space-y-3 border-l pl-4" data-testid="fit-attempts">
      {items.map((item) => (
        <li key={item.key} className="relative space-y-1 text-sm" data-testid={`fit-history-${item.kind}`}>
          <span className={`absolute top-1.5 -left-[1.3rem] size-2 rounded-full ${dot(item)}`} />
          <Heading item={item} />
          <Body item={item} />
        </li>
      ))}
    </ol>
  );
}

function dot(item: TimelineItem): string {
  if (item.kind === "failed") return "bg-destructive";
  if (item.kind === "succeeded") return "bg-success";
  if (item.kind === "retry") return "bg-primary";
  return "bg-warning";
}

function Heading({ item }: { item: TimelineItem }) {
  const time = item.at ? <RelativeTime date={item.at} className="text-xs text-muted-foreground" /> : null;
  switch (item.kind) {
    case "failed":
      return (
        <div className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-medium">Attempt {item.attempt}</span>
          <Badge variant="destructive">{outcomeLabel(item.outcome)}</Badge>
          {item.durationMs !== null && <span className="text-xs text-muted-foreground">after {formatMs(item.durationMs)}</span>}
          {time}
        </div>
      );
    case "retry":
      return (
        <div className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-medium">Retried by {item.actor}</span>
          {time}
        </div>
      );
    case "succeeded":
      return (
        <div className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-medium">Attempt {item.attempt}</span>
          <Badge variant="success">succeeded</Badge>
          {item.producedVersion !== null && <span className="text-xs">→ v{item.producedVersion}</span>}
          {item.durationMs !== null && <span className="text-xs text-muted-foreground">in {formatMs(item.durationMs)}</span>}
          {time}
        </div>
      );
    case "pending":
      return (
        <div className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-medium">Attempt {item.attempt} of {item.maxAttempts}</span>
          <Badge variant="warning">{item.status}</Badge>
          {time}
        </div>
      );
  }
}

function Body({ item }: { item: TimelineItem }) {
  if (item.kind === "retry") return <p className="text-xs text-muted-foreground" data-testid="fit-retry-reason">{item.reason ?? "(no reason given)"}</p>;
  if (item.kind === "pending") return null;
  const summary = logSummary(item.logs);
  return (
    <div className="space-y-1.5">
      {item.kind === "failed" && (
        <>
          <p className="font-medium break-words text-destructive" data-testid="fit-attempt-error">{item.error}</p>
          {item.owner && <p className="font-mono text-xs text-muted-foreground">on {item.owner}</p>}
          {item.errorStack && (
            <details>
              <summary className="cursor-pointer text-xs text-muted-foreground select-none">Stack</summary>
              <pre className="max-h-60 overflow-auto rounded-md bg-muted/50 p-2 font-mono text-xs whitespace-pre">{item.errorStack}</pre>
            </details>
          )}
        </>
      )}
      {summary ? (
        <details open={item.kind === "failed" || (item.logs?.entries.length ?? 0) <= 20}>
          <summary className="cursor-pointer text-xs text-muted-foreground select-none">Logs · {summary}</summary>
          <FitLogs logs={item.logs} />
        </details>
      ) : item.kind === "failed" && item.outcome !== "failed" ? (
        <p className="text-xs text-muted-foreground">Logs of an attempt that timed out or whose process died are lost with it.</p>
      ) : null}
    </div>
  );
}
