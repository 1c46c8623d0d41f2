"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useInfiniteQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, Loader2, X } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { LiveIndicator } from "@/components/live-indicator";
import { JsonView, previewJson } from "@/components/json-view";
import { AUDIT_ACTIONS, auditListInput, auditSummary, auditTarget, parseAuditFilter } from "../audit";

const COLUMNS = 7;

export function AuditView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filter = React.useMemo(() => parseAuditFilter(new URLSearchParams(searchParams.toString())), [searchParams]);
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(auditListInput(filter), { getNextPageParam: (l) => l.nextCursor ?? undefined, refetchInterval: 10_000, placeholderData: (p) => p }),
  );
  const items = React.useMemo(() => events.data?.pages.flatMap((p) => p.items) ?? [], [events.data]);
  const [open, setOpen] = React.useState<Set<string>>(() => new Set());
  const toggle = (id: string) => setOpen((prev) => {
    const next = new Set(prev);
    if (!next.delete(id)) next.add(id);
    return next;
  });

  const set = (key: "action" | "actor", value: string | null) => {
    const p = new URLSearchParams(searchParams.toString());
    if (!value || value === "all") p.delete(key);
    else p.set(key, value);
    const s = p.toString();
    router.replace(`${pathname}${s ? `?${s}` : ""}`, { scroll: false });
  };
  const actions = [...new Set([...AUDIT_ACTIONS, ...(filter.action ? [filter.action] : [])])];

  return (
    <div className="space-y-3 p-6">
      <div className="flex flex-wrap items-center gap-2">
        <Select
          aria-label="Action"
          value={filter.action ?? "all"}
          onValueChange={(v) => set("action", v)}
          options={[{ value: "all", label: "All actions" }, ...actions.map((a) => ({ value: a, label: a }))]}
          className="w-44 font-mono text-xs"
        />
        {filter.actor && (
          <Badge variant="outline" className="h-8 gap-1.5 px-2.5 text-xs">
            by {filter.actor}
            <button onClick={() => set("actor", null)} aria-label="Clear the actor filter" className="rounded-sm text-muted-foreground hover:text-foreground"><X className="size-3" /></button>
          </Badge>
        )}
        <LiveIndicator className="ml-auto" updatedAt={events.dataUpdatedAt} fetching={events.isFetching} />
      </div>
      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="audit-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="w-8" />
              <TableHead>When</TableHead>
              <TableHead>Who</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Target</TableHead>
              <TableHead>Reason</TableHead>
              <TableHead>Data</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {events.isPending ? (
              Array.from({ length: 6 }, (_, i) => <TableRow key={i}><TableCell colSpan={COLUMNS}><Skeleton className="h-5" /></TableCell></TableRow>)
            ) : events.isError ? (
              <TableMessage colSpan={COLUMNS}><ErrorState error={events.error} retry={() => events.refetch()} className="py-2" /></TableMessage>
            ) : items.length === 0 ? (
              <TableMessage colSpan={COLUMNS}>
                <EmptyState title="No audit events" className="py-2">{filter.action || filter.actor ? "Nothing matches these filters." : "Rollbacks, params, role changes, users and API keys are recorded here."}</EmptyState>
              </TableMessage>
            ) : (
              items.map((e) => {
                const target = auditTarget(e);
                const summary = auditSummary(e);
                const expanded = open.has(e.id);
                return (
                  <React.Fragment key={e.id}>
                    <TableRow data-testid="audit-row" data-action={e.action} className="cursor-pointer" onClick={() => toggle(e.id)} aria-expanded={expanded}>
                      <TableCell className="pr-0 text-muted-foreground">{expanded ? <ChevronDown className="size-4" /> : <ChevronRight className="size-4" />}</TableCell>
                      <TableCell className="whitespace-nowrap"><RelativeTime date={e.createdAt} className="text-xs text-muted-foreground" /></TableCell>
                      <TableCell className="text-xs">
                        <button
                          className="hover:underline"
                          title={`Only events by ${e.actor}`}
                          onClick={(ev) => {
                            ev.stopPropagation();
                            set("actor", e.actor);
                          }}
                        >
                          {e.actor}
                        </button>
                      </TableCell>
                      <TableCell><Badge variant={e.action.endsWith(".revoke") || e.action === "state.rollback" ? "warning" : "secondary"} className="font-mono">{e.action}</Badge></TableCell>
                      <TableCell className="text-xs">
                        {target.href ? (
                          <Link href={target.href} className="font-medium whitespace-nowrap text-primary hover:underline" onClick={(ev) => ev.stopPropagation()}>{target.label}</Link>
                        ) : (
                          <span className="font-medium break-all" title={target.detail ?? undefined}>{target.label}</span>
                        )}
                        {summary && <span className="block text-muted-foreground">{summary}</span>}
                      </TableCell>
                      <TableCell className="text-xs text-muted-foreground">
                        <span className="line-clamp-2 max-w-64 break-words" title={e.reason ?? ""} data-testid="audit-reason">{e.reason ?? "—"}</span>
                      </TableCell>
                      <TableCell className="font-mono text-xs text-muted-foreground">
                        <span className="block max-w-56 truncate" title={e.data === null ? "" : previewJson(e.data, 2000)}>{e.data === null ? "—" : previewJson(e.data, 80)}</span>
                      </TableCell>
                    </TableRow>
                    {expanded && (
                      <TableRow className="bg-muted/20 hover:bg-muted/20">
                        <TableCell />
                        <TableCell colSpan={COLUMNS - 1} className="py-3">
                          <div className="grid gap-3 md:grid-cols-[14rem_minmax(0,1fr)]">
                            <dl className="grid content-start gap-1.5 text-xs">
                              <dt className="text-muted-foreground">Event</dt>
                              <dd className="font-mono break-all">{e.id}</dd>
                              <dt className="text-muted-foreground">Target id</dt>
                              <dd className="font-mono break-all">{e.target}</dd>
                              <dt className="text-muted-foreground">Reason</dt>
                              <dd className="whitespace-pre-wrap">{e.reason ?? "—"}</dd>
                            </dl>
                            {e.data === null ? <p className="text-xs text-muted-foreground">No data recorded.</p> : <JsonView value={e.data} maxHeight="16rem" />}
                          </div>
                        </TableCell>
                      </TableRow>
                    )}
                  </React.Fragment>
                );
              })
            )}
          </TableBody>
        </Table>
      </div>
      {events.hasNextPage && (
        <div className="text-center">
          <Button variant="outline" size="sm" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage} data-testid="audit-load-more">
            {events.isFetchingNextPage && <Loader2 className="animate-spin" />} Load more
          </Button>
        </div>
      )}
    </div>
  );
}
