"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Database, KeyRound } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { WHOLE_LIST } from "@/lib/lists";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { formatCount } from "@/lib/time";

export function RelationsList() {
  const trpc = useTRPC();
  const relations = useQuery(trpc.relations.list.queryOptions(WHOLE_LIST, { refetchInterval: 10_000 }));
  if (relations.isPending) {
    return (
      <div className="grid gap-3 p-6 md:grid-cols-2 xl:grid-cols-3">
        {[0, 1, 2].map((i) => <Skeleton key={i} className="h-28" />)}
      </div>
    );
  }
  if (relations.isError) return <ErrorState error={relations.error} retry={() => relations.refetch()} />;
  if (relations.data.items.length === 0) return <EmptyState title="No relations" className="py-20">This app declares no relations.</EmptyState>;
  return (
    <div className="grid gap-3 p-6 md:grid-cols-2 xl:grid-cols-3" data-testid="relations-list">
      {relations.data.items.map((r) => (
        <Link key={r.name} href={`/relations/${encodeURIComponent(r.name)}`} className="group rounded-lg focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          <Card className="h-full p-4 transition-colors group-hover:border-primary/40 group-hover:bg-accent/40">
            <div className="flex items-center justify-between gap-2">
              <span className="flex items-center gap-2 font-mono text-sm font-semibold">
                <Database className="size-4 text-muted-foreground" />
                {r.name}
              </span>
              {r.key && <Badge variant="outline" title="Rows with the same key are versions of one record"><KeyRound /> {r.key}</Badge>}
            </div>
            <div className="mt-3 flex items-baseline gap-1.5">
              <span className="text-2xl font-semibold tabular-nums">{formatCount(r.rowCount)}</span>
              <span className="text-xs text-muted-foreground">rows</span>
            </div>
            <div className="mt-2 flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
              {r.triggers.length > 0 ? (
                r.triggers.map((t) => (
                  <Badge key={`${t.trigger}/${t.route}`} variant="secondary" title={[t.infer && "infer", t.fit && "fit"].filter(Boolean).join(" + ")}>
                    {t.trigger} · {[t.infer && "infer", t.fit && "fit"].filter(Boolean).join("+")}
                  </Badge>
                ))
              ) : (
                <span>no triggers</span>
              )}
            </div>
          </Card>
        </Link>
      ))}
      {relations.data.nextCursor && <p className="text-xs text-muted-foreground">Showing the first {relations.data.items.length} relations.</p>}
    </div>
  );
}
