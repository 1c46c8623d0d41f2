"use client";
import * as React from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";

const VERDICT = { good: "success", bad: "destructive" } as const;

function Verdict({ value, implied }: { value: "good" | "bad" | null; implied?: boolean }) {
  if (!value) return <span className="text-xs text-muted-foreground">{implied ? "unknown" : "unlabeled"}</span>;
  return <Badge variant={VERDICT[value]}>{implied ? `${value} (implied)` : value}</Badge>;
}

/** Shadowed rows whose two answers differ: input, the structural diff of the outputs, each one's feedback. */
export function ShadowDiffTable({ trigger, version }: { trigger: string; version: number }) {
  const trpc = useTRPC();
  const rows = useInfiniteQuery(
    trpc.experiments.shadowRows.infiniteQueryOptions({ trigger, version, differsOnly: true, limit: 20 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = React.useMemo(() => rows.data?.pages.flatMap((p) => p.items) ?? [], [rows.data]);
  if (rows.isPending) return <Skeleton className="h-24" />;
  if (rows.isError) return <ErrorState error={rows.error} retry={() => rows.refetch()} />;
  if (!items.length) return <p className="text-sm text-muted-foreground" data-testid="shadow-empty">No shadowed row answered differently yet.</p>;
  return (
    <div className="grid gap-2" data-testid="shadow-diffs">
      {items.map((r) => (
        <div key={r.id} className="grid gap-1.5 rounded-md border p-3 text-sm" data-testid="shadow-diff-row">
          <div className="truncate font-mono text-xs text-muted-foreground" title={JSON.stringify(r.input)}>{JSON.stringify(r.input)}</div>
          <ul className="grid gap-0.5 font-mono text-xs">
            {r.diff.changes.map((c, i) => (
              <li key={i}>
                <span className="text-muted-foreground">{c.path.length ? c.path.join(".") : "(output)"}</span>{" "}
                {c.from !== undefined && <span className="text-destructive line-through">{c.from}</span>} {c.to !== undefined && <span className="text-emerald-600">{c.to}</span>}
              </li>
            ))}
            {r.diff.truncated && <li className="text-muted-foreground">…</li>}
          </ul>
          <div className="flex flex-wrap items-center gap-3 text-xs">
            <span>v{r.active.version} (served): <Verdict value={r.active.label} /></span>
            <span>v{r.candidate.version} (shadow): <Verdict value={r.candidate.verdict} implied /></span>
          </div>
        </div>
      ))}
      {rows.hasNextPage && (
        <Button variant="ghost" size="sm" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
          {rows.isFetchingNextPage && <Loader2 className="animate-spin" />} More rows
        </Button>
      )}
    </div>
  );
}
