"use client";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { exactTime } from "@/lib/time";
import type { LogsLike } from "../attempts";

const LEVEL_VARIANT = { error: "destructive", warn: "warning", info: "secondary", debug: "outline" } as const;

/** What a fit attempt logged, one line per call; the logged object folds out as JSON. */
export function FitLogs({ logs, testId = "fit-logs" }: { logs: LogsLike | null; testId?: string }) {
  if (!logs || (logs.entries.length === 0 && logs.dropped === 0)) return <p className="text-xs text-muted-foreground">The fit logged nothing.</p>;
  return (
    <div className="space-y-1" data-testid={testId}>
      <ol className="max-h-80 space-y-0.5 overflow-y-auto rounded-md bg-muted/40 p-2 font-mono text-xs">
        {logs.entries.map((e, i) => (
          <li key={i} className="flex min-w-0 flex-wrap items-baseline gap-x-2" data-testid="fit-log-line" data-level={e.level}>
            <time className="shrink-0 text-muted-foreground" title={exactTime(e.at)} dateTime={new Date(e.at).toISOString()}>
              {new Date(e.at).toISOString().slice(11, 23)}
            </time>
            <Badge variant={LEVEL_VARIANT[e.level]} className="shrink-0 px-1 py-0 text-[10px] uppercase">{e.level}</Badge>
            <span className="min-w-0 break-words whitespace-pre-wrap">{e.msg || <span className="text-muted-foreground">(no message)</span>}</span>
            {e.data !== undefined && (
              <details className="w-full pl-4">
                <summary className="cursor-pointer text-muted-foreground select-none">data</summary>
                <pre className="overflow-x-auto whitespace-pre">{JSON.stringify(e.data, null, 2)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
      {logs.dropped > 0 && (
        <p className="text-xs text-muted-foreground" data-testid="fit-logs-dropped">
          {logs.dropped} more log call{logs.dropped === 1 ? "" : "s"} after the first {logs.entries.length} were counted, not kept.
        </p>
      )}
    </div>
  );
}
