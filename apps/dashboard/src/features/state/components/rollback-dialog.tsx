"use client";
import * as React from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowRight, Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { ErrorState, errorMessage } from "@/components/states";
import { formatCount } from "@/lib/time";
import { guessDirection, moveWording } from "../outcome-format";
import { useInvalidateTrigger } from "./state-view";
import { OutcomesCompare } from "./outcomes-compare";
import { FittedBetween, KeyChanges } from "./version-diff-view";

/**
 * Confirms a move of `active` by showing what changes before it happens: the state diff, the
 * fits (rows and labels) on each side, both versions' outcomes. A move to a newer version is
 * worded as a move forward; a reason is required (it goes in the alias history).
 */
export function RollbackDialog({ trigger, from, to, onClose }: { trigger: string; from: number; to: number; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const [reason, setReason] = React.useState("");
  const [pin, setPin] = React.useState(false);
  const [refit, setRefit] = React.useState(false);
  const diff = useQuery(trpc.state.diff.queryOptions({ trigger, from, to }, { staleTime: 30_000 }));
  const outcomes = useQuery(trpc.state.outcomes.queryOptions({ trigger, versions: [from, to] }, { staleTime: 10_000 }));
  const direction = diff.data?.direction ?? guessDirection(from, to);
  const wording = moveWording(direction, trigger, to);
  const dropped = diff.data?.dropped;
  const rollback = useMutation(
    trpc.state.rollback.mutationOptions({
      onSuccess: async (moved) => {
        const refitted = moved.requeuedLabels > 0 ? ` ${formatCount(moved.requeuedLabels)} labels re-queued to fit on v${to}.` : "";
        // A version in an older state schema was migrated into a new one, which is what serves.
        const migrated = moved.migratedFrom !== null ? ` v${to} was in an older state schema: migrated into v${moved.to}.` : "";
        toast({ title: `Active is now v${moved.to}${pin ? " (pinned)" : ""}`, description: `${trigger}: new inferences use v${moved.to}.${migrated}${refitted}`, variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return;
    rollback.mutate({ trigger, version: to, reason: reason.trim(), ...(pin ? { pin: true } : {}), ...(refit && dropped && dropped.labels > 0 ? { refitLabels: true } : {}) });
  };
  const byVersion = new Map((outcomes.data?.items ?? []).map((v) => [v.version, v]));
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="rollback-dialog" data-direction={direction} className="max-h-[92vh] max-w-3xl overflow-y-auto">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{wording.title}</DialogTitle>
            <DialogDescription>Re-points the active alias. Nothing is deleted; you can move it again later.</DialogDescription>
          </DialogHeader>
          <div className="rounded-md border bg-muted/40 p-3 text-sm">
            <div className="flex items-center gap-2 font-medium" data-testid="rollback-summary">
              active: <span className="tabular-nums">v{from}</span> <ArrowRight className="size-4" /> <span className="tabular-nums text-primary">v{to}</span>
            </div>
            <ul className="mt-2 list-disc space-y-0.5 pl-5 text-muted-foreground">
              <li>new inferences will use v{to}</li>
              <li>{pin ? <>fits are held until unpinned; infer stays on v{to}</> : <>fits continue from v{to}</>}</li>
              {dropped && dropped.labels > 0 && !refit && (
                <li className="text-foreground" data-testid="labels-left-behind">
                  v{to} does not include the {formatCount(dropped.labels)} label{dropped.labels === 1 ? "" : "s"} fitted into v{dropped.versions[dropped.versions.length - 1]}–v{dropped.versions[0]}; they are not re-fitted unless you choose so below
                </li>
              )}
            </ul>
          </div>

          <section className="grid gap-2" data-testid="version-diff">
            <h3 className="text-sm font-medium">What changes</h3>
            {diff.isPending ? (
              <Skeleton className="h-24" />
            ) : diff.isError ? (
              <ErrorState error={diff.error} retry={() => diff.refetch()} className="py-2" />
            ) : (
              <>
                <FittedBetween side={diff.data.dropped} verb="Leaves behind" testId="diff-dropped" />
                <FittedBetween side={diff.data.added} verb="Brings in" testId="diff-added" />
                <KeyChanges diff={diff.data} />
              </>
            )}
          </section>

          <section className="grid gap-2">
            <h3 className="text-sm font-medium">Outcomes</h3>
            {outcomes.isError ? <ErrorState error={outcomes.error} className="py-2" /> : <OutcomesCompare from={byVersion.get(from)} to={byVersion.get(to)} />}
          </section>

          <div className="grid gap-1.5">
            <Label htmlFor="rollback-reason">Reason (required, recorded in the alias history)</Label>
            <Textarea id="rollback-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. v7 answers regressed after the docs re-scrape" />
          </div>
          {dropped && dropped.labels > 0 && (
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" checked={refit} onChange={(e) => setRefit(e.target.checked)} className="mt-0.5 size-4 accent-[var(--primary)]" data-testid="rollback-refit" />
              <span>
                Re-fit the {formatCount(dropped.labels)} label{dropped.labels === 1 ? "" : "s"} since v{diff.data?.ancestor} on top of v{to}
                <span className="block text-xs text-muted-foreground">Queues those feedback rows again; the trigger&apos;s feedback fit learns them onto v{to} as a new version (after unpin, if pinned).</span>
              </span>
            </label>
          )}
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" checked={pin} onChange={(e) => setPin(e.target.checked)} className="mt-0.5 size-4 accent-[var(--primary)]" data-testid="rollback-pin" />
            <span>
              Pin v{to}
              <span className="block text-xs text-muted-foreground">Hold fits so active stays here until someone unpins it.</span>
            </span>
          </label>
          {rollback.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(rollback.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant={wording.destructive ? "destructive" : "default"} disabled={!reason.trim() || rollback.isPending} data-testid="rollback-confirm">
              {rollback.isPending && <Loader2 className="animate-spin" />} {wording.confirm}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
