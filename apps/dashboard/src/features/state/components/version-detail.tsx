"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Binary, Braces, Download } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { JsonView } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatBytes, formatCount } from "@/lib/time";

/** One version: its aliases, lineage and a preview of every value (JSON shown, binary summarised). */
export function VersionDetail({ trigger, version }: { trigger: string; version: number }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.state.get.queryOptions({ trigger, version }, { staleTime: Infinity }));
  if (detail.isPending) return <Skeleton className="h-80" />;
  if (detail.isError) return <Card><ErrorState error={detail.error} retry={() => detail.refetch()} /></Card>;
  const d = detail.data;
  return (
    <Card data-testid="version-detail">
      <CardHeader>
        <div>
          <CardTitle className="flex items-center gap-2">
            Version v{d.version}
            {d.aliases.map((a) => <Badge key={a} variant={a === "active" ? "default" : "outline"}>{a}</Badge>)}
          </CardTitle>
          <CardDescription>
            {d.parent === null ? "initial state from setUp" : <>child of v{d.parent}</>}
            {d.fitRunId && <> · produced by <Link href={`/fits/${d.fitRunId}`} className="text-primary hover:underline">fit {d.fitRunId.slice(-8)}</Link></>}
            {!d.fitRunId && d.parent !== null && <> · migrated to state schema {d.schema}</>}
            <span data-testid="version-detail-schema"> · schema {d.schema}</span>
            {" · "}<RelativeTime date={d.createdAt} />
            {d.collectedAt && (
              <span className="block text-warning" data-testid="version-collected">
                Blobs collected <RelativeTime date={d.collectedAt} /> (keepVersions): the keys and checksums below are history, the values are gone.
              </span>
            )}
          </CardDescription>
        </div>
        <span className="text-xs text-muted-foreground tabular-nums">{formatCount(d.totalKeys)} keys · {formatBytes(d.size)}</span>
      </CardHeader>
      <CardContent className="max-h-[34rem] space-y-3 overflow-y-auto">
        {d.entries.length === 0 ? (
          <EmptyState title="Empty state" className="py-6" />
        ) : (
          d.entries.map((e) => (
            <div key={e.key} className="rounded-md border">
              <div className="flex items-center gap-2 border-b bg-muted/30 px-3 py-1.5 text-xs">
                {e.kind === "json" ? <Braces className="size-3.5 text-muted-foreground" /> : <Binary className="size-3.5 text-muted-foreground" />}
                <span className="font-mono font-medium">{e.key}</span>
                <Badge variant="secondary">{e.summary}</Badge>
                <span className="ml-auto text-muted-foreground tabular-nums">{formatBytes(e.size)}</span>
                {/* The full value (the preview stops at 4 KB): a plain GET, signed in by the cookie. */}
                {!d.collectedAt && <a
                  href={`/api/state/${encodeURIComponent(trigger)}/${d.version}/${encodeURIComponent(e.key)}`}
                  download
                  className="inline-flex items-center gap-1 text-primary hover:underline"
                  aria-label={`Download ${e.key}`}
                  data-testid="download-state-value"
                >
                  <Download className="size-3.5" /> Download
                </a>}
              </div>
              <div className="p-2">
                {d.collectedAt ? (
                  <p className="px-1 text-xs text-muted-foreground">Value collected · checksum <span className="font-mono">{e.checksum.slice(0, 12)}</span></p>
                ) : e.binary ? (
                  <p className="px-1 text-xs text-muted-foreground">
                    Binary <span className="font-mono">{e.binary.type}</span> with {formatCount(e.binary.length)} elements · checksum <span className="font-mono">{e.checksum.slice(0, 12)}</span>
                  </p>
                ) : e.truncated ? (
                  <pre className="max-h-48 overflow-auto rounded bg-muted/40 p-2 font-mono text-xs whitespace-pre-wrap break-all">{e.preview}… <span className="text-muted-foreground">(first 4 KB of {formatBytes(e.size)})</span></pre>
                ) : (
                  <JsonView value={e.value} maxHeight="12rem" className="border-0" />
                )}
              </div>
            </div>
          ))
        )}
        {d.totalKeys > d.entries.length && <p className="text-xs text-muted-foreground">Showing {d.entries.length} of {d.totalKeys} keys.</p>}
      </CardContent>
    </Card>
  );
}
