"use client";
import * as React from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Loader2, Search, X } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { WHOLE_LIST } from "@/lib/lists";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { previewJson } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { exactTime, formatCount, formatMs } from "@/lib/time";
import { LABEL_CHOICES, OUTCOME_CHOICES, inferenceListInput, isFiltered, parseInferenceFilter, serializeInferenceFilter, type InferenceFilter } from "../filters";
import { InferencePanel } from "./inference-panel";

const LABEL_TEXT: Record<(typeof LABEL_CHOICES)[number], string> = { any: "Any label", unlabeled: "Unlabeled", labeled: "Labeled", good: "Labeled good", bad: "Labeled bad" };
const OUTCOME_TEXT: Record<(typeof OUTCOME_CHOICES)[number], string> = { any: "Answers and errors", errors: "Errors only", ok: "Answers only" };

export function InferencesView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filter = React.useMemo(() => parseInferenceFilter(new URLSearchParams(searchParams.toString())), [searchParams]);
  const set = React.useCallback(
    (patch: Partial<InferenceFilter>) => router.replace(`${pathname}${serializeInferenceFilter({ ...filter, ...patch })}`, { scroll: false }),
    [router, pathname, filter],
  );
  const input = React.useMemo(() => inferenceListInput(filter), [filter]);
  const list = useInfiniteQuery(trpc.inferences.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: (prev) => prev }));
  const items = React.useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const searchedBack = list.data?.pages.at(-1)?.searchedBack ?? null;
  const triggers = useQuery(trpc.triggers.list.queryOptions(WHOLE_LIST));

  // Text and numbers are typed, then applied (Enter or Search): no request per keystroke.
  const [draft, setDraft] = React.useState({ text: filter.text ?? "", by: filter.labeledBy ?? "", minMs: filter.minMs?.toString() ?? "", maxMs: filter.maxMs?.toString() ?? "" });
  React.useEffect(() => {
    setDraft({ text: filter.text ?? "", by: filter.labeledBy ?? "", minMs: filter.minMs?.toString() ?? "", maxMs: filter.maxMs?.toString() ?? "" });
  }, [filter.text, filter.labeledBy, filter.minMs, filter.maxMs]);
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const num = (s: string) => (s.trim() !== "" && Number.isFinite(Number(s)) && Number(s) >= 0 ? Number(s) : null);
    set({ text: draft.text.trim() || null, labeledBy: draft.by.trim() || null, minMs: num(draft.minMs), maxMs: num(draft.maxMs) });
  };

  return (
    <div className="space-y-3 p-4 md:p-6">
      <form onSubmit={apply} className="flex flex-wrap items-center gap-2" role="search">
        <div className="relative min-w-56 flex-1">
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground" />
          <Input aria-label="Search text" className="pl-8" placeholder="Text in the question or the answer" value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </div>
        <Input aria-label="Labeled by" className="w-44" placeholder="Labeled by (e-mail)" value={draft.by} onChange={(e) => setDraft({ ...draft, by: e.target.value })} />
        <Input aria-label="Min latency (ms)" className="w-28" inputMode="decimal" placeholder="≥ ms" value={draft.minMs} onChange={(e) => setDraft({ ...draft, minMs: e.target.value })} />
        <Input aria-label="Max latency (ms)" className="w-28" inputMode="decimal" placeholder="≤ ms" value={draft.maxMs} onChange={(e) => setDraft({ ...draft, maxMs: e.target.value })} />
        <Button type="submit" size="sm">Search</Button>
        {isFiltered(filter) && (
          <Button type="button" size="sm" variant="ghost" onClick={() => router.replace(pathname, { scroll: false })}>
            <X /> Clear
          </Button>
        )}
      </form>
      <div className="flex flex-wrap items-center gap-2">
        <Select
          aria-label="Trigger"
          value={filter.trigger ?? "all"}
          onValueChange={(v) => set({ trigger: v === "all" ? null : v, version: null })}
          options={[{ value: "all", label: "All triggers" }, ...(triggers.data?.items ?? []).map((t) => ({ value: t.name, label: t.name }))]}
          className="w-44"
        />
        {filter.trigger && (
          <Input
            aria-label="Version"
            className="w-24"
            placeholder="version"
            inputMode="numeric"
            defaultValue={filter.version ?? ""}
            key={`v-${filter.version ?? ""}`}
            onBlur={(e) => {
              const v = e.target.value.trim().replace(/^v/i, "");
              set({ version: v !== "" && Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : null });
            }}
          />
        )}
        <Select aria-label="Label" value={filter.label} onValueChange={(v) => set({ label: v as InferenceFilter["label"] })} options={LABEL_CHOICES.map((c) => ({ value: c, label: LABEL_TEXT[c] }))} className="w-40" />
        <Select aria-label="Outcome" value={filter.outcome} onValueChange={(v) => set({ outcome: v as InferenceFilter["outcome"] })} options={OUTCOME_CHOICES.map((c) => ({ value: c, label: OUTCOME_TEXT[c] }))} className="w-44" />
        {list.isFetching && !list.isFetchingNextPage && <Loader2 className="size-4 animate-spin text-muted-foreground" />}
      </div>

      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="inferences-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="w-28">When</TableHead>
              <TableHead>Trigger</TableHead>
              <TableHead>Input</TableHead>
              <TableHead className="max-md:hidden">Output</TableHead>
              <TableHead className="text-right max-md:hidden">Latency</TableHead>
              <TableHead>Label</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.isPending ? (
              Array.from({ length: 8 }, (_, i) => <TableRow key={i}><TableCell colSpan={6}><Skeleton className="h-5" /></TableCell></TableRow>)
            ) : list.isError ? (
              <TableMessage colSpan={6}><ErrorState error={list.error} retry={() => list.refetch()} className="py-2" /></TableMessage>
            ) : items.length === 0 ? (
              <TableMessage colSpan={6}>
                <EmptyState title={isFiltered(filter) ? "No inferences match" : "No inferences yet"} className="py-2">
                  {searchedBack ? <>Searched back to {exactTime(searchedBack)}; older inferences are searched with “Search older”.</> : isFiltered(filter) ? "Change the text or remove a filter." : "Inferences appear as rows arrive."}
                </EmptyState>
              </TableMessage>
            ) : (
              items.map((i) => {
                const last = i.feedback.at(-1);
                return (
                  <TableRow key={i.id} className="cursor-pointer" data-state={filter.open === i.id ? "selected" : undefined} onClick={() => set({ open: i.id })} data-testid="inference-row">
                    <TableCell><RelativeTime date={i.createdAt} className="text-xs whitespace-nowrap text-muted-foreground" /></TableCell>
                    <TableCell className="whitespace-nowrap">
                      <span className="font-medium">{i.trigger}</span> <Badge variant="outline">v{i.stateVersion}</Badge>
                    </TableCell>
                    <TableCell><span className="block max-w-[14rem] truncate md:max-w-[22rem]" title={previewJson(i.input, 2000)}>{previewJson(i.input, 160)}</span></TableCell>
                    <TableCell className="max-md:hidden">
                      {i.error ? <span className="text-xs text-destructive">{i.error.slice(0, 120)}</span> : <span className="block max-w-[22rem] truncate" title={previewJson(i.output, 2000)}>{previewJson(i.output, 160)}</span>}
                    </TableCell>
                    <TableCell className="text-right tabular-nums max-md:hidden">{formatMs(i.latencyMs)}</TableCell>
                    <TableCell>{last ? <Badge variant={last.label === "good" ? "success" : "destructive"}>{last.label}</Badge> : <span className="text-xs text-muted-foreground">—</span>}</TableCell>
                  </TableRow>
                );
              })
            )}
          </TableBody>
        </Table>
      </div>

      <div className="flex items-center justify-between text-xs text-muted-foreground">
        <span data-testid="inferences-summary">
          {formatCount(items.length)} shown
          {searchedBack && <> · searched back to {exactTime(searchedBack)}</>}
        </span>
        {list.hasNextPage && (
          <Button variant="outline" size="sm" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage && <Loader2 className="animate-spin" />} {searchedBack ? "Search older" : "Load more"}
          </Button>
        )}
      </div>

      <InferencePanel id={filter.open} onClose={() => set({ open: null })} />
    </div>
  );
}
