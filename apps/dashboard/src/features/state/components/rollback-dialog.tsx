"use client";
import * as React from "react";
import { useMutation } from "@tanstack/react-query";
import { ArrowRight, Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { useInvalidateTrigger } from "./state-view";

/** Confirms a rollback by naming exactly what changes, and requires a reason (it goes in the alias history). */
export function RollbackDialog({ trigger, from, to, onClose }: { trigger: string; from: number; to: number; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const [reason, setReason] = React.useState("");
  const [pin, setPin] = React.useState(false);
  const rollback = useMutation(
    trpc.state.rollback.mutationOptions({
      onSuccess: async () => {
        toast({ title: `Active is now v${to}${pin ? " (pinned)" : ""}`, description: `${trigger}: new inferences use v${to}.`, variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return;
    rollback.mutate({ trigger, version: to, reason: reason.trim(), ...(pin ? { pin: true } : {}) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="rollback-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Roll back {trigger}?</DialogTitle>
            <DialogDescription>Re-points the active alias. Nothing is deleted; you can move it again later.</DialogDescription>
          </DialogHeader>
          <div className="rounded-md border bg-muted/40 p-3 text-sm">
            <div className="flex items-center gap-2 font-medium" data-testid="rollback-summary">
              active: <span className="tabular-nums">v{from}</span> <ArrowRight className="size-4" /> <span className="tabular-nums text-primary">v{to}</span>
            </div>
            <ul className="mt-2 list-disc space-y-0.5 pl-5 text-muted-foreground">
              <li>new inferences will use v{to}</li>
              <li>{pin ? <>fits are held until unpinned; infer stays on v{to}</> : <>fits continue from v{to}</>}</li>
            </ul>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="rollback-reason">Reason (required, recorded in the alias history)</Label>
            <Textarea id="rollback-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. v7 answers regressed after the docs re-scrape" />
          </div>
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
            <Button type="submit" variant="destructive" disabled={!reason.trim() || rollback.isPending}>
              {rollback.isPending && <Loader2 className="animate-spin" />} Roll back to v{to}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
