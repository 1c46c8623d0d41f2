"use client";
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2, RefreshCw } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";

/**
 * Confirms re-queueing dead-lettered fit runs, with a required reason that the audit log keeps
 * on each run. One id retries that run; several use the bulk procedure (skips are reported).
 */
export function RetryDialog({ ids, trigger, onClose }: { ids: string[]; trigger?: string; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [reason, setReason] = React.useState("");
  const done = async () => {
    await qc.invalidateQueries({ queryKey: trpc.fits.pathKey() });
    await qc.invalidateQueries({ queryKey: trpc.triggers.pathKey() });
    onClose();
  };
  const one = useMutation(
    trpc.fits.retry.mutationOptions({
      onSuccess: async () => {
        toast({ title: "Fit re-queued", variant: "success" });
        await done();
      },
    }),
  );
  const many = useMutation(
    trpc.fits.retryMany.mutationOptions({
      onSuccess: async (r) => {
        toast({
          title: `${r.retried.length} fit run${r.retried.length === 1 ? "" : "s"} re-queued`,
          description: r.skipped.length ? `${r.skipped.length} skipped: no longer dead-lettered.` : undefined,
          variant: "success",
        });
        await done();
      },
    }),
  );
  const pending = one.isPending || many.isPending;
  const error = one.error ?? many.error;
  const single = ids.length === 1;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const why = reason.trim();
    if (!why) return;
    if (single) one.mutate({ id: ids[0]!, reason: why });
    else many.mutate({ ids, reason: why });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && !pending && onClose()}>
      <DialogContent data-testid="retry-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{single ? "Retry this fit run?" : `Retry ${ids.length} dead-lettered fit runs?`}</DialogTitle>
            <DialogDescription>
              {single ? "The run is queued again with fresh attempts" : `Each run${trigger ? ` of ${trigger}` : ""} is queued again with fresh attempts`}, on the same rows
              it consumed before. If its fit still throws, it is dead-lettered again.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="retry-reason">Reason <span className="font-normal text-muted-foreground">(required, kept in the audit log{single ? "" : " on each run"})</span></Label>
            <Textarea id="retry-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. the embeddings provider is back" />
          </div>
          {error && <p role="alert" className="text-sm text-destructive">{errorMessage(error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose} disabled={pending}>Cancel</Button>
            <Button type="submit" disabled={pending || !reason.trim()} data-testid="confirm-retry">
              {pending ? <Loader2 className="animate-spin" /> : <RefreshCw />} {single ? "Retry run" : `Retry ${ids.length} runs`}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
