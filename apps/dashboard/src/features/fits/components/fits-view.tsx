"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Loader2, RefreshCw } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { LiveIndicator } from "@/components/live-indicator";
import { formatCount, formatMs } from "@/lib/time";
import { FIT_STATUSES, fitsListInput, parseFitsFilter } from "../filters";
import { FitStatusBadge } from "../status";
import { RequireRole } from "@/features/auth/role";
import { RetryDialog } from "./retry-dialog";
import { SchedulesPanel } from "./schedules-panel";
import { BacklogChart } from "./backlog-chart";

export function FitsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filter = React.useMemo(() => parseFitsFilter(new URLSearchParams(searchParams.toString())), [searchParams]);
  const triggers = useInfiniteQuery(trpc.fits.list.infiniteQueryOptions(fitsListInput(filter), { getNextPageParam: (l) => l.nextCursor ?? undefined, refetchInterval: 5000, placeholderData: (p) => p }));
  const items = React.useMemo(() => triggers.data?.pages.flatMap((p) => p.items) ?? [], [triggers.data]);
  const [triggerNames] = React.useState<string[]>(() => []);
  const names = React.useMemo(() => [...new Set([...triggerNames, ...items.map((i) => i.trigger), ...(filter.trigger ? [filter.trigger] : [])])].sort(), [items, triggerNames, filter.trigger]);

  // Bulk retry acts on the dead-lettered runs this list has loaded (what the operator sees).
  const dead = React.useMemo(() => items.filter((f) => f.deadLettered && f.status === "failed").map((f) => f.id), [items]);
  const [retrying, setRetrying] = React.useState<string[] | null>(null);

  const set = (key: "trigger" | "status", value: string) => {
    const p = new URLSearchParams(searchParams.toString());
    if (value === "all") p.delete(key);
    else p.set(key, value);
    const s = p.toString();
    router.replace(`${pathname}${s ? `?${s}` : ""}`, { scroll: false });
  };

  return (
    <div className="space-y-3 p-4 md:p-6">
      <SchedulesPanel {...(filter.trigger ? { trigger: filter.trigger } : {})} />
      {filter.trigger ? <BacklogChart trigger={filter.trigger} /> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Select aria-label="Trigger" value={filter.trigger ?? "all"} onValueChange={(v) => set("trigger", v)} options={[{ value: "all", label: "All triggers" }, ...names.map((n) => ({ value: n, label: n }))]} className="w-44" />
        <Select
          aria-label="Status"
          value={filter.status ?? "all"}
          onValueChange={(v) => set("status", v)}
          options={[{ value: "all", label: "Any status" }, ...FIT_STATUSES.map((s) => ({ value: s, label: s })), { value: "dead", label: "dead-lettered" }]}
          className="w-44"
        />
        {filter.status === "dead" && dead.length > 0 && (
          <RequireRole role="admin">
            <Button size="sm" variant="outline" onClick={() => setRetrying(dead)} data-testid="retry-all-dead">
              <RefreshCw /> Retry {dead.length} dead-lettered…
            </Button>
          </RequireRole>
        )}
        <LiveIndicator className="ml-auto" updatedAt={triggers.dataUpdatedAt} fetching={triggers.isFetching} />
      </div>
      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="fits-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Status</TableHead>
              <TableHead>Trigger / route</TableHead>
              <TableHead className="text-right max-md:hidden">Rows</TableHead>
              <TableHead className="text-right max-md:hidden">Attempts</TableHead>
              <TableHead className="text-right max-md:hidden">Duration</TableHead>
              <TableHead>Version</TableHead>
              <TableHead>Queued</TableHead>
              <TableHead className="max-md:hidden">Error</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {triggers.isPending ? (
              Array.from({ length: 6 }, (_, i) => <TableRow key={i}><TableCell colSpan={8}><Skeleton className="h-5" /></TableCell></TableRow>)
            ) : triggers.isError ? (
              <TableMessage colSpan={8}><ErrorState error={triggers.error} retry={() => triggers.refetch()} className="py-2" /></TableMessage>
            ) : items.length === 0 ? (
              <TableMessage colSpan={8}><EmptyState title="No fit runs" className="py-2">{filter.trigger || filter.status ? "Nothing matches these filters." : "Fits run when rows arrive on a relation a trigger fits on."}</EmptyState></TableMessage>
            ) : (
              items.map((f) => (
                <TableRow key={f.id} className="cursor-pointer" onClick={() => router.push(`/fits/${f.id}`)}>
                  <TableCell><FitStatusBadge status={f.status} deadLettered={f.deadLettered} /></TableCell>
                  <TableCell>
                    <Link href={`/fits/${f.id}`} className="font-medium hover:underline" onClick={(e) => e.stopPropagation()}>{f.trigger}</Link>
                    <span className="text-muted-foreground"> / {f.route}</span>
                    {f.reason === "schedule" && <Badge variant="secondary" className="ml-1.5" data-testid="fit-scheduled">scheduled</Badge>}
                    {f.reason === "drift" && <Badge variant="secondary" className="ml-1.5">drift refit</Badge>}
                  </TableCell>
                  <TableCell className="text-right tabular-nums max-md:hidden">{formatCount(f.rowCount)}</TableCell>
                  <TableCell className="text-right tabular-nums max-md:hidden">{f.attempts}/{f.maxAttempts}</TableCell>
                  <TableCell className="text-right tabular-nums max-md:hidden">{formatMs(f.durationMs)}</TableCell>
                  <TableCell>
                    {f.producedVersion !== null ? <Badge variant="outline">v{f.baseVersion ?? "?"} → v{f.producedVersion}</Badge> : <span className="text-xs text-muted-foreground">from v{f.baseVersion ?? "?"}</span>}
                  </TableCell>
                  <TableCell><RelativeTime date={f.queuedAt} className="text-xs text-muted-foreground" /></TableCell>
                  <TableCell className="max-w-72 truncate text-xs text-destructive max-md:hidden" title={f.error ?? ""}>{f.error ?? ""}</TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      {triggers.hasNextPage && (
        <div className="text-center">
          <Button variant="outline" size="sm" onClick={() => triggers.fetchNextPage()} disabled={triggers.isFetchingNextPage}>
            {triggers.isFetchingNextPage && <Loader2 className="animate-spin" />} Load more
          </Button>
        </div>
      )}
      {retrying && <RetryDialog ids={retrying} {...(filter.trigger ? { trigger: filter.trigger } : {})} onClose={() => setRetrying(null)} />}
    </div>
  );
}
