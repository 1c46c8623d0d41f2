"use client";
import * as React from "react";
import { useQueryStates } from "nuqs";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, ListChecks, Loader2, Lock, Play, Square, ThumbsDown } from "lucide-react";
import { useTRPC, useTRPCClient } from "@/lib/trpc/client";
import type { RouterOutputs } from "@/lib/trpc/types";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Kbd } from "@/components/ui/kbd";
import { Select } from "@/components/ui/select";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Skeleton } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { EmptyState, ErrorState, errorMessage } from "@/components/states";
import { previewJson } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatMs } from "@/lib/time";
import { useCan } from "@/features/auth/role";
import { LABEL_FILTERS, reviewListInput, reviewParams, reviewParamsOf, reviewUrlState, type LabelFilter, type ReviewUrlState } from "../filters";
import type { IssueLike } from "../correction-fields";
import { LabelPanel, type LabelPanelHandle } from "./label-panel";
import { ProgressCard } from "./progress-card";

/** How often an open named queue's progress is refetched (other labelers' work shows within this). */
export const NAMED_QUEUE_POLL_MS = 3000;

export type ReviewItem = RouterOutputs["inferences"]["list"]["items"][number];

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el?.closest("input, textarea, select, [contenteditable=true], [role=listbox], [role=menu]");
}

export function ReviewView({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const qc = useQueryClient();
  const toast = useToast();
  const canLabel = useCan("labeler");
  // Filter, version and mode live in the URL (shareable; a reload and the server prefetch see them).
  const [params, setParams] = useQueryStates(reviewParams, { history: "replace", scroll: false });
  const urlState = React.useMemo(() => reviewUrlState(params), [params]);
  const { label: labelFilter, version } = urlState;
  // Only labelers take items from the queue; for anyone else a ?mode=queue link browses.
  const mode = canLabel ? urlState.mode : "browse";
  const setUrl = React.useCallback((patch: Partial<ReviewUrlState>) => void setParams(reviewParamsOf({ ...urlState, ...patch })), [setParams, urlState]);
  const setMode = (m: ReviewUrlState["mode"]) => setUrl({ mode: m, inference: null, ...(m === "browse" ? { queue: null } : {}) });
  // A named review queue (?queue=<id>): next/skip/complete go through queues.*, with its progress shown.
  const queueId = mode === "queue" ? urlState.queue : null;
  // Other labelers work the same queue: their labels change its progress without any event in this
  // tab, so the progress polls while the queue is open (and refetches after each of our own calls).
  const named = useQuery(trpc.queues.get.queryOptions({ id: queueId ?? "" }, { enabled: !!queueId, refetchInterval: NAMED_QUEUE_POLL_MS, staleTime: 0 }));
  const setLabelFilter = (l: LabelFilter) => setUrl({ label: l, inference: null });
  const setVersion = (v: string) => setUrl({ version: v, inference: null });
  const info = useQuery(trpc.triggers.get.queryOptions({ trigger }));

  // Browse: the filtered list.
  const list = useInfiniteQuery(
    trpc.inferences.list.infiniteQueryOptions(reviewListInput(trigger, labelFilter, version), {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      enabled: mode === "browse",
    }),
  );
  const listItems = React.useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const [browseIndex, setBrowseIndexRaw] = React.useState(0);

  // ?inference=<id> opens browse mode on that inference: from the loaded page when it is
  // there, otherwise fetched on its own (it may be labeled, older, or another version).
  const focusId = mode === "browse" ? urlState.inference : null;
  const focusIndex = focusId ? listItems.findIndex((i) => i.id === focusId) : -1;
  const focused = useQuery(trpc.inferences.get.queryOptions({ id: focusId ?? "" }, { enabled: !!focusId && !list.isPending && focusIndex < 0 }));
  // Moving through the list leaves the pinned inference: continue from where it sits.
  const setBrowseIndex = React.useCallback(
    (next: number | ((i: number) => number)) => {
      if (focusId) {
        setBrowseIndexRaw(focusIndex);
        setUrl({ inference: null });
      }
      setBrowseIndexRaw(next);
    },
    [focusId, focusIndex, setUrl],
  );

  // Queue: items handed out (and locked) by review.next, in the order they came.
  const [queue, setQueue] = React.useState<{ items: ReviewItem[]; pos: number; lockExpiresAt: Date | null; done: boolean }>({ items: [], pos: 0, lockExpiresAt: null, done: false });
  const [queueLoading, setQueueLoading] = React.useState(false);
  const skipped = React.useRef<string[]>([]);
  const labeledHere = React.useRef(new Map<string, "good" | "bad">());
  const [, force] = React.useReducer((n: number) => n + 1, 0);

  const takeNext = React.useCallback(async () => {
    setQueueLoading(true);
    try {
      const next = queueId
        ? await client.queues.next.mutate({ queueId })
        : await client.review.next.mutate({ trigger, ...(version !== "all" ? { version: Number(version) } : {}), exclude: skipped.current.slice(-100) });
      setQueue((q) => {
        if (!next) return { ...q, pos: q.items.length, lockExpiresAt: null, done: true };
        const items = [...q.items.filter((i) => i.id !== next.inference.id), next.inference];
        return { items, pos: items.length - 1, lockExpiresAt: new Date(next.lockExpiresAt), done: false };
      });
    } catch (e) {
      toast({ title: "Couldn’t take the next item", description: errorMessage(e), variant: "error" });
    } finally {
      setQueueLoading(false);
      // What the queue handed out (or that it is empty) reflects every labeler's work: refresh its progress.
      if (queueId) void qc.invalidateQueries({ queryKey: trpc.queues.get.queryKey({ id: queueId }) });
    }
  }, [client, trigger, version, toast, queueId, qc, trpc]);

  const browseCurrent: ReviewItem | undefined = focusId ? (focusIndex >= 0 ? listItems[focusIndex] : focused.data ?? undefined) : listItems[browseIndex];
  const current: ReviewItem | undefined = mode === "browse" ? browseCurrent : queue.items[queue.pos];
  const atQueueHead = mode === "queue" && queue.pos === queue.items.length - 1;

  // Release the held item when leaving the queue or the page.
  const heldRef = React.useRef<string | null>(null);
  heldRef.current = mode === "queue" && atQueueHead && current && !labeledHere.current.has(current.id) ? current.id : null;
  React.useEffect(() => {
    const release = () => {
      if (heldRef.current) void client.review.release.mutate({ inferenceId: heldRef.current }).catch(() => {});
    };
    window.addEventListener("pagehide", release);
    return () => {
      window.removeEventListener("pagehide", release);
      release();
    };
  }, [client, mode]);

  // Opened with ?mode=queue (a shared link or a reload): take the first item once.
  const resumed = React.useRef(false);
  React.useEffect(() => {
    if (resumed.current || !canLabel || mode !== "queue") return;
    resumed.current = true;
    void takeNext();
  }, [mode, canLabel, takeNext]);

  const startQueue = () => {
    resumed.current = true;
    setMode("queue");
    setQueue({ items: [], pos: 0, lockExpiresAt: null, done: false });
    skipped.current = [];
    void takeNext();
  };
  const stopQueue = () => {
    if (heldRef.current) void client.review.release.mutate({ inferenceId: heldRef.current }).catch(() => {});
    heldRef.current = null;
    setMode("browse");
    void qc.invalidateQueries({ queryKey: trpc.review.pathKey() });
  };

  const goNext = React.useCallback(async () => {
    if (mode === "browse") {
      setBrowseIndex((i) => {
        const n = Math.min(i + 1, Math.max(0, listItems.length - 1));
        if (n >= listItems.length - 3 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
        return n;
      });
      return;
    }
    if (queue.pos < queue.items.length - 1) {
      setQueue((q) => ({ ...q, pos: q.pos + 1 }));
      return;
    }
    if (current && !labeledHere.current.has(current.id)) {
      skipped.current.push(current.id);
      // In a named queue, passing on an item marks it skipped there (and lets go of the lock).
      if (queueId) await client.queues.skip.mutate({ queueId, inferenceId: current.id }).catch(() => {});
      else await client.review.release.mutate({ inferenceId: current.id }).catch(() => {});
      if (queueId) void qc.invalidateQueries({ queryKey: trpc.queues.pathKey() });
    }
    await takeNext();
  }, [mode, listItems.length, list, queue.pos, queue.items.length, current, client, takeNext, queueId, qc, trpc]);

  const goPrev = React.useCallback(() => {
    if (mode === "browse") setBrowseIndex((i) => Math.max(0, i - 1));
    else setQueue((q) => ({ ...q, pos: Math.max(0, q.pos - 1) }));
  }, [mode]);

  // One save: in a named queue queues.complete (label, scores, done); elsewhere scores first
  // (checked before anything is written), then the label.
  const label = useMutation({
    mutationFn: async (v: { inferenceId: string; label: "good" | "bad"; correction?: unknown; note?: string; scores?: Record<string, number | string> }) => {
      if (queueId) await client.queues.complete.mutate({ queueId, ...v });
      else {
        const { scores, ...rest } = v;
        if (scores) await client.feedback.score.mutate({ inferenceId: v.inferenceId, scores });
        await client.feedback.label.mutate(rest);
      }
      return { inferenceId: v.inferenceId, label: v.label };
    },
    onSuccess: async (res) => {
      labeledHere.current.set(res.inferenceId, res.label);
      force();
      void qc.invalidateQueries({ queryKey: trpc.review.progress.queryKey({ trigger }) });
      void qc.invalidateQueries({ queryKey: trpc.inferences.pathKey() });
      void qc.invalidateQueries({ queryKey: trpc.queues.pathKey() });
    },
    onError: (e) => toast({ title: "Label not saved", description: errorMessage(e), variant: "error" }),
  });

  const panel = React.useRef<LabelPanelHandle>(null);
  const submitLabel = React.useCallback(
    async (value: "good" | "bad") => {
      if (!current || !canLabel || label.isPending) return;
      const draft = panel.current?.draft();
      const correction = draft?.correction;
      // A refused correction stays on screen with the API's issues at its fields.
      const saved = await label.mutateAsync({ inferenceId: current.id, label: value, ...(correction !== undefined ? { correction } : {}), ...(draft?.note ? { note: draft.note } : {}), ...(draft?.scores ? { scores: draft.scores } : {}) }).then(() => true, () => false);
      if (!saved) return;
      panel.current?.reset();
      if (mode === "browse" && labelFilter === "unlabeled") return; // the list refetches without it; the next item slides into place
      await goNext();
    },
    [current, canLabel, label, mode, labelFilter, goNext],
  );

  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target) || document.querySelector("[role=dialog]")) return;
      const actions: Record<string, (() => void) | undefined> = {
        j: () => void goNext(),
        k: goPrev,
        ...(canLabel
          ? { g: () => void submitLabel("good"), b: () => void submitLabel("bad"), e: () => panel.current?.focusCorrection(), n: () => panel.current?.focusNote() }
          : {}),
      };
      const action = actions[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [goNext, goPrev, submitLabel, canLabel]);

  const versions = React.useMemo(() => {
    const latest = info.data?.latestVersion ?? 0;
    return [{ value: "all", label: "All versions" }, ...Array.from({ length: latest + 1 }, (_, i) => ({ value: String(latest - i), label: `v${latest - i}` }))];
  }, [info.data?.latestVersion]);

  return (
    <div className="flex flex-col gap-4 p-6">
      <div className="flex flex-wrap items-center gap-2">
        {mode === "browse" ? (
          <>
            <Tabs value={labelFilter} onValueChange={(v) => { setLabelFilter(v as LabelFilter); setBrowseIndex(0); }}>
              <TabsList aria-label="Label filter">
                {LABEL_FILTERS.map((f) => <TabsTrigger key={f.value} value={f.value}>{f.label}</TabsTrigger>)}
              </TabsList>
            </Tabs>
            <Select aria-label="State version" value={version} onValueChange={(v) => { setVersion(v); setBrowseIndex(0); }} options={versions} className="w-36" />
          </>
        ) : (
          <div className="flex items-center gap-2 text-sm">
            <Badge variant="default"><ListChecks /> {named.data ? named.data.name : "Labeling queue"}</Badge>
            {named.data && (
              <span className="text-xs text-muted-foreground" data-testid="named-queue-progress">
                {named.data.progress.done} done · {named.data.progress.skipped} skipped · {named.data.progress.pending} pending of {named.data.progress.total}
              </span>
            )}
            {queue.lockExpiresAt && atQueueHead && current && !labeledHere.current.has(current.id) && (
              <span className="inline-flex items-center gap-1 text-xs text-muted-foreground" data-testid="lock-info">
                <Lock className="size-3" /> locked for you until {queue.lockExpiresAt.toLocaleTimeString()}
              </span>
            )}
          </div>
        )}
        <div className="ml-auto flex items-center gap-2">
          {canLabel &&
            (mode === "browse" ? (
              <Button size="sm" onClick={startQueue} data-testid="start-queue"><Play /> Start labeling queue</Button>
            ) : (
              <Button size="sm" variant="outline" onClick={stopQueue}><Square /> Leave queue</Button>
            ))}
        </div>
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,20rem)_minmax(0,1fr)] xl:grid-cols-[minmax(0,24rem)_minmax(0,1fr)]">
        <div className="flex min-w-0 flex-col gap-4">
        <Card className="flex max-h-[calc(100vh-24rem)] min-h-64 flex-col overflow-hidden">
          <div className="border-b px-3 py-2 text-xs font-medium text-muted-foreground">
            {mode === "browse" ? "Inferences (newest first)" : `This session · ${labeledHere.current.size} labeled`}
          </div>
          <ul className="flex-1 overflow-y-auto" aria-label="Inferences" data-testid="review-list">
            {mode === "browse" ? (
              list.isPending ? (
                Array.from({ length: 6 }, (_, i) => <li key={i} className="border-b p-3"><Skeleton className="h-10" /></li>)
              ) : list.isError ? (
                <li><ErrorState error={list.error} retry={() => list.refetch()} /></li>
              ) : listItems.length === 0 ? (
                <li><EmptyState title={labelFilter === "unlabeled" ? "Nothing left to label" : "No inferences match"}>{labelFilter === "unlabeled" ? "New inferences appear here as rows arrive." : "Try another filter."}</EmptyState></li>
              ) : (
                <>
                  {listItems.map((item, i) => (
                    <ItemRow key={item.id} item={item} active={focusId ? i === focusIndex : i === browseIndex} localLabel={labeledHere.current.get(item.id)} onClick={() => setBrowseIndex(i)} />
                  ))}
                  {list.hasNextPage && (
                    <li className="p-2 text-center">
                      <Button variant="ghost" size="sm" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                        {list.isFetchingNextPage && <Loader2 className="animate-spin" />} Load more
                      </Button>
                    </li>
                  )}
                </>
              )
            ) : queue.items.length === 0 && queueLoading ? (
              <li className="p-3"><Skeleton className="h-10" /></li>
            ) : (
              queue.items.map((item, i) => (
                <ItemRow key={item.id} item={item} active={i === queue.pos} localLabel={labeledHere.current.get(item.id)} onClick={() => setQueue((q) => ({ ...q, pos: i }))} />
              ))
            )}
          </ul>
        </Card>
        <ProgressCard trigger={trigger} />
        </div>

        <div className="min-w-0">
          {mode === "queue" && queue.done && queue.pos >= queue.items.length ? (
            <Card><EmptyState title="The queue is empty" className="py-16">{queueId ? "Every item of this queue is done, skipped or held by another labeler." : `Every inference of ${trigger} is labeled or held by another labeler.`}</EmptyState></Card>
          ) : current ? (
            <LabelPanel
              ref={panel}
              key={current.id}
              item={current}
              canLabel={canLabel}
              pending={label.isPending}
              onLabel={submitLabel}
              localLabel={labeledHere.current.get(current.id)}
              correctionSchema={info.data ? (info.data.correctionSchema ?? null) : info.isError ? null : undefined}
              scoreConfigs={info.data?.scores ?? {}}
              issues={label.variables?.inferenceId === current.id ? issuesOfError(label.error) : null}
            />
          ) : mode === "queue" || list.isPending ? (
            <Skeleton className="h-96" />
          ) : (
            <Card><EmptyState title="Select an inference" className="py-16" /></Card>
          )}
        </div>
      </div>

      <ShortcutsBar canLabel={canLabel} />
    </div>
  );
}

/** The input issues of a failed call (the API's error shape carries them with full paths). */
function issuesOfError(error: unknown): IssueLike[] | null {
  const issues = (error as { data?: { issues?: unknown } } | null)?.data?.issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : null;
}

function ItemRow({ item, active, localLabel, onClick }: { item: ReviewItem; active: boolean; localLabel?: "good" | "bad"; onClick: () => void }) {
  const ref = React.useRef<HTMLLIElement>(null);
  React.useEffect(() => {
    if (active) ref.current?.scrollIntoView({ block: "nearest" });
  }, [active]);
  const last = localLabel ?? item.feedback.at(-1)?.label;
  const input = item.input as Record<string, unknown> | null;
  const text = input && typeof input === "object" ? (input.question ?? input.text ?? input.prompt ?? input) : input;
  return (
    <li
      ref={ref}
      onClick={onClick}
      aria-current={active ? "true" : undefined}
      data-testid="review-item"
      className={cn("cursor-pointer border-b border-l-2 border-l-transparent px-3 py-2.5 text-sm hover:bg-muted/50", active && "border-l-primary bg-accent")}
    >
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate font-medium">{previewJson(text, 90)}</span>
        {last === "good" && <CheckCircle2 className="size-4 shrink-0 text-success" aria-label="labeled good" />}
        {last === "bad" && <ThumbsDown className="size-4 shrink-0 text-destructive" aria-label="labeled bad" />}
      </div>
      <div className="mt-0.5 flex items-center gap-2 text-xs text-muted-foreground">
        <span>v{item.stateVersion}</span>
        <span>{formatMs(item.latencyMs)}</span>
        {item.cached && <span>cached</span>}
        <RelativeTime date={item.createdAt} className="ml-auto" />
      </div>
    </li>
  );
}

function ShortcutsBar({ canLabel }: { canLabel: boolean }) {
  const keys: [string, string][] = [["j", "next"], ["k", "previous"]];
  if (canLabel) keys.push(["g", "good"], ["b", "bad"], ["e", "edit correction"], ["n", "note"], ["esc", "leave field"]);
  return (
    <div className="sticky bottom-0 -mx-6 -mb-6 flex flex-wrap items-center gap-x-4 gap-y-1 border-t bg-card/95 px-6 py-2 text-xs text-muted-foreground backdrop-blur" data-testid="shortcuts">
      <span className="font-medium text-foreground">Shortcuts</span>
      {keys.map(([k, what]) => (
        <span key={k} className="inline-flex items-center gap-1.5"><Kbd>{k}</Kbd> {what}</span>
      ))}
      {!canLabel && <span className="ml-auto">Viewers can browse; labeling needs the labeler role.</span>}
    </div>
  );
}

