"use client";
// Named review queues: cards (one column at 390 px) with trigger, progress and assignees, the
// caller's queues first; admins create queues from a filter and/or a seeded sample, and edit a
// queue's name, description and assignees (its items were picked once: the feed stays). The list
// comes in pages of the largest size; "Load more" fetches the next one when there are more.
import * as React from "react";
import Link from "next/link";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ListChecks, Loader2, Pencil, Play, Plus, Trash2, UserRound } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import type { RouterOutputs } from "@/lib/trpc/types";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, errorMessage } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { LoadMore } from "@/components/load-more";
import { formatPath, inputIssues } from "@/lib/issues";
import { useCan } from "@/features/auth/role";
import { WHOLE_LIST, nextPage } from "@/lib/lists";
import { reviewQueueHref } from "@/features/review/filters";
import { EMPTY_FEED_FORM, feedFromForm, parseAssignees, percentDone, type FeedForm } from "../feed-form";

type Queue = RouterOutputs["queues"]["list"]["items"][number];

export function QueuesView({ triggers }: { triggers: string[] }) {
  const trpc = useTRPC();
  const isAdmin = useCan("admin");
  const canLabel = useCan("labeler");
  const [mine, setMine] = React.useState(false);
  const [creating, setCreating] = React.useState(false);
  // A queue still filling is polled until its items are in.
  const list = useInfiniteQuery(
    trpc.queues.list.infiniteQueryOptions({ mine, ...WHOLE_LIST }, {
      getNextPageParam: nextPage,
      refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((i) => i.status === "filling")) ? 2000 : false),
    }),
  );
  const queues = React.useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  return (
    <div className="flex flex-col gap-4 p-4 sm:p-6">
      <div className="flex flex-wrap items-center gap-2">
        <div className="inline-flex rounded-md border p-0.5 text-sm" role="group" aria-label="Which queues">
          <button type="button" className={`rounded px-2.5 py-1 ${!mine ? "bg-accent font-medium" : ""}`} aria-pressed={!mine} onClick={() => setMine(false)}>All queues</button>
          <button type="button" className={`rounded px-2.5 py-1 ${mine ? "bg-accent font-medium" : ""}`} aria-pressed={mine} onClick={() => setMine(true)} data-testid="my-queues">My queues</button>
        </div>
        {isAdmin && (
          <Button size="sm" className="ml-auto" onClick={() => setCreating(true)} data-testid="new-queue"><Plus /> New queue</Button>
        )}
      </div>
      {list.isPending ? (
        <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">{Array.from({ length: 3 }, (_, i) => <Skeleton key={i} className="h-36" />)}</div>
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => list.refetch()} />
      ) : queues.length === 0 ? (
        <Card><EmptyState title={mine ? "No queue is assigned to you" : "No review queues yet"} className="py-16">{isAdmin ? "Create one from a filter or a sample of a trigger's inferences." : "An admin creates queues and assigns them to labelers."}</EmptyState></Card>
      ) : (
        <>
          <ul className="grid gap-3 md:grid-cols-2 xl:grid-cols-3" aria-label="Review queues" data-testid="queue-list">
            {queues.map((q) => <QueueCard key={q.id} queue={q} canLabel={canLabel} isAdmin={isAdmin} />)}
          </ul>
          <LoadMore query={list} noun="queues" />
        </>
      )}
      {creating && <CreateQueueDialog triggers={triggers} onClose={() => setCreating(false)} />}
    </div>
  );
}

function QueueCard({ queue, canLabel, isAdmin }: { queue: Queue; canLabel: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const remove = useMutation(trpc.queues.delete.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.queues.pathKey() }) }));
  const [editing, setEditing] = React.useState(false);
  const p = queue.progress;
  const pct = percentDone(p);
  return (
    <li>
      <Card className="flex h-full flex-col gap-2 p-4" data-testid="queue-card" data-queue={queue.id}>
        <div className="flex items-start gap-2">
          <ListChecks className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
          <div className="min-w-0 flex-1">
            <h3 className="truncate font-medium" title={queue.name}>{queue.name}</h3>
            <p className="text-xs text-muted-foreground">{queue.trigger} · by {queue.createdBy} · <RelativeTime date={queue.createdAt} /></p>
          </div>
          {queue.assignedToMe && <Badge variant="secondary">yours</Badge>}
          {queue.status !== "ready" && <Badge variant={queue.status === "failed" ? "destructive" : "outline"} title={queue.error ?? undefined}>{queue.status}</Badge>}
        </div>
        {queue.description && <p className="line-clamp-2 text-sm text-muted-foreground">{queue.description}</p>}
        <div className="grid gap-1">
          <div className="h-2 overflow-hidden rounded-full bg-muted" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={`${queue.name} progress`}>
            <div className="h-full bg-primary" style={{ width: `${pct}%` }} />
          </div>
          <p className="text-xs text-muted-foreground" data-testid="queue-progress">
            {p.done} done · {p.skipped} skipped · {p.pending} pending of {p.total}
          </p>
        </div>
        <p className="flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
          <UserRound className="size-3" /> {queue.assignees.length ? queue.assignees.join(", ") : "anyone with the labeler role"}
        </p>
        <div className="mt-auto flex items-center gap-2 pt-1">
          {canLabel && queue.status === "ready" && p.pending > 0 && (
            <Button size="sm" asChild data-testid="work-queue"><Link href={reviewQueueHref(queue.trigger, queue.id)}><Play /> Work this queue</Link></Button>
          )}
          {isAdmin && (
            <Button size="sm" variant="ghost" className="ml-auto" aria-label={`Edit ${queue.name}`} onClick={() => setEditing(true)} data-testid="edit-queue">
              <Pencil />
            </Button>
          )}
          {isAdmin && (
            <Button size="sm" variant="ghost" aria-label={`Delete ${queue.name}`} disabled={remove.isPending} onClick={() => { if (window.confirm(`Delete the queue ${queue.name}? Labels given stay.`)) remove.mutate({ id: queue.id }); }}>
              <Trash2 />
            </Button>
          )}
        </div>
      </Card>
      {editing && <EditQueueDialog queue={queue} onClose={() => setEditing(false)} />}
    </li>
  );
}

function EditQueueDialog({ queue, onClose }: { queue: Queue; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = React.useState(queue.name);
  const [description, setDescription] = React.useState(queue.description ?? "");
  const [assignees, setAssignees] = React.useState(queue.assignees.join(", "));
  const update = useMutation(trpc.queues.update.mutationOptions({ onSuccess: async () => { await qc.invalidateQueries({ queryKey: trpc.queues.pathKey() }); onClose(); } }));
  const issues = update.isError ? inputIssues(update.error) : [];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    update.mutate({ id: queue.id, name: name.trim(), description: description.trim() || null, assignees: parseAssignees(assignees) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="edit-queue-dialog" className="max-h-[90vh] overflow-y-auto">
        <form onSubmit={submit} className="grid gap-3">
          <DialogHeader>
            <DialogTitle>Edit {queue.name}</DialogTitle>
            <DialogDescription>Name, description and who works it. Its items were picked when it was created and stay; for other items, create a new queue.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="edit-queue-name">Name</Label>
            <Input id="edit-queue-name" autoFocus autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="edit-queue-description">Description <span className="font-normal text-muted-foreground">(optional)</span></Label>
            <Textarea id="edit-queue-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="edit-queue-assignees">Assign to <span className="font-normal text-muted-foreground">(e-mails, comma-separated; empty: anyone)</span></Label>
            <Input id="edit-queue-assignees" value={assignees} onChange={(e) => setAssignees(e.target.value)} />
          </div>
          {update.isError && (
            <ul role="alert" className="text-sm text-destructive">
              {issues.length ? issues.map((i, n) => <li key={n}>{formatPath(i.path)}: {i.message}</li>) : <li>{errorMessage(update.error)}</li>}
            </ul>
          )}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!name.trim() || update.isPending} data-testid="save-queue">
              {update.isPending && <Loader2 className="animate-spin" />} Save
            </Button>
          </DialogFooter>
        </form>
        <AssignItemForm queueId={queue.id} />
      </DialogContent>
    </Dialog>
  );
}

const LABEL_STATES = [
  { value: "unlabeled", label: "Unlabeled" },
  { value: "any", label: "Any" },
  { value: "good", label: "Labeled good" },
  { value: "bad", label: "Labeled bad" },
];
const SAMPLING = [
  { value: "none", label: "No sampling (newest first)" },
  { value: "share", label: "A share (%)" },
  { value: "count", label: "A fixed number" },
];

function CreateQueueDialog({ triggers, onClose }: { triggers: string[]; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = React.useState("");
  const [trigger, setTrigger] = React.useState(triggers[0] ?? "");
  const [description, setDescription] = React.useState("");
  const [assignees, setAssignees] = React.useState("");
  const [form, setForm] = React.useState<FeedForm>(EMPTY_FEED_FORM);
  const set = (patch: Partial<FeedForm>) => setForm((f) => ({ ...f, ...patch }));
  const create = useMutation(trpc.queues.create.mutationOptions({ onSuccess: async () => { await qc.invalidateQueries({ queryKey: trpc.queues.pathKey() }); onClose(); } }));
  const issues = create.isError ? inputIssues(create.error) : [];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate({ name: name.trim(), trigger, ...(description.trim() ? { description: description.trim() } : {}), feed: feedFromForm(form) as never, assignees: parseAssignees(assignees) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="create-queue-dialog" className="max-h-[90vh] overflow-y-auto">
        <form onSubmit={submit} className="grid gap-3">
          <DialogHeader>
            <DialogTitle>New review queue</DialogTitle>
            <DialogDescription>Items are picked once, from the filter and the sample below; labelers then work through them.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="queue-name">Name</Label>
            <Input id="queue-name" autoFocus autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. slow answers, week 49" />
          </div>
          <div className="grid gap-1.5">
            <Label>Trigger</Label>
            <Select aria-label="Trigger" value={trigger} onValueChange={setTrigger} options={triggers.map((t) => ({ value: t, label: t }))} className="h-9 w-full" />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="queue-description">Description <span className="font-normal text-muted-foreground">(optional)</span></Label>
            <Textarea id="queue-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <fieldset className="grid gap-2 rounded-md border p-3">
            <legend className="px-1 text-xs font-semibold text-muted-foreground uppercase">Filter</legend>
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
              <div className="grid gap-1"><Label>Labels</Label><Select aria-label="Label state" value={form.labelState} onValueChange={(v) => set({ labelState: v as FeedForm["labelState"] })} options={LABEL_STATES} className="h-9 w-full" /></div>
              <div className="grid gap-1"><Label htmlFor="queue-version">State version</Label><Input id="queue-version" inputMode="numeric" placeholder="any" value={form.version} onChange={(e) => set({ version: e.target.value })} /></div>
              <div className="grid gap-1"><Label htmlFor="queue-min">Latency ≥ ms</Label><Input id="queue-min" inputMode="decimal" value={form.minLatencyMs} onChange={(e) => set({ minLatencyMs: e.target.value })} /></div>
              <div className="grid gap-1"><Label htmlFor="queue-max">Latency ≤ ms</Label><Input id="queue-max" inputMode="decimal" value={form.maxLatencyMs} onChange={(e) => set({ maxLatencyMs: e.target.value })} /></div>
            </div>
            <div className="grid gap-1"><Label htmlFor="queue-text">Text in question or answer</Label><Input id="queue-text" value={form.text} onChange={(e) => set({ text: e.target.value })} /></div>
          </fieldset>
          <fieldset className="grid gap-2 rounded-md border p-3">
            <legend className="px-1 text-xs font-semibold text-muted-foreground uppercase">Sampling</legend>
            <Select aria-label="Sampling" value={form.sampling} onValueChange={(v) => set({ sampling: v as FeedForm["sampling"] })} options={SAMPLING} className="h-9 w-full" />
            {form.sampling !== "none" && (
              <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
                {form.sampling === "share"
                  ? <div className="grid gap-1"><Label htmlFor="queue-share">Share %</Label><Input id="queue-share" inputMode="decimal" value={form.share} onChange={(e) => set({ share: e.target.value })} /></div>
                  : <div className="grid gap-1"><Label htmlFor="queue-count">Items</Label><Input id="queue-count" inputMode="numeric" value={form.count} onChange={(e) => set({ count: e.target.value })} /></div>}
                <div className="grid gap-1"><Label htmlFor="queue-seed">Seed</Label><Input id="queue-seed" placeholder="motion" value={form.seed} onChange={(e) => set({ seed: e.target.value })} /></div>
              </div>
            )}
            <div className="grid gap-1"><Label htmlFor="queue-max-items">At most (items)</Label><Input id="queue-max-items" inputMode="numeric" value={form.maxItems} onChange={(e) => set({ maxItems: e.target.value })} /></div>
            <p className="text-xs text-muted-foreground">The same seed over the same inferences picks the same items.</p>
          </fieldset>
          <div className="grid gap-1.5">
            <Label htmlFor="queue-assignees">Assign to <span className="font-normal text-muted-foreground">(e-mails, comma-separated; empty: anyone)</span></Label>
            <Input id="queue-assignees" value={assignees} onChange={(e) => setAssignees(e.target.value)} placeholder="ana@example.com, bo@example.com" />
          </div>
          {create.isError && (
            <ul role="alert" className="text-sm text-destructive">
              {issues.length ? issues.map((i, n) => <li key={n}>{formatPath(i.path)}: {i.message}</li>) : <li>{errorMessage(create.error)}</li>}
            </ul>
          )}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!name.trim() || !trigger || create.isPending} data-testid="create-queue">
              {create.isPending && <Loader2 className="animate-spin" />} Create queue
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Gives one item of the queue (by inference id, as in a Review or Inferences link) to one labeler. */
function AssignItemForm({ queueId }: { queueId: string }) {
  const trpc = useTRPC();
  const [inferenceId, setInferenceId] = React.useState("");
  const [assignee, setAssignee] = React.useState("");
  const assign = useMutation(trpc.queues.assignItem.mutationOptions());
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    assign.mutate({ queueId, inferenceId: inferenceId.trim(), assignee: assignee.trim() || null });
  };
  return (
    <form onSubmit={submit} className="grid gap-2 rounded-md border p-3" data-testid="assign-item-form">
      <p className="text-xs font-semibold text-muted-foreground uppercase">Assign one item</p>
      <p className="text-xs text-muted-foreground">Only that labeler gets the item from the queue; leave the labeler empty to give it back to anyone.</p>
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        <div className="grid gap-1"><Label htmlFor="assign-inference">Inference id</Label><Input id="assign-inference" autoComplete="off" value={inferenceId} onChange={(e) => setInferenceId(e.target.value)} /></div>
        <div className="grid gap-1"><Label htmlFor="assign-labeler">Labeler (e-mail)</Label><Input id="assign-labeler" autoComplete="off" value={assignee} onChange={(e) => setAssignee(e.target.value)} /></div>
      </div>
      <div className="flex items-center gap-2">
        <Button type="submit" size="sm" variant="outline" disabled={!inferenceId.trim() || assign.isPending} data-testid="assign-item">
          {assign.isPending && <Loader2 className="animate-spin" />} Assign
        </Button>
        {assign.isSuccess && <span className="text-xs text-muted-foreground" role="status">{assign.data.assignee ? `Assigned to ${assign.data.assignee}` : "Open to anyone"}</span>}
        {assign.isError && <span className="text-xs text-destructive" role="alert">{errorMessage(assign.error)}</span>}
      </div>
    </form>
  );
}
