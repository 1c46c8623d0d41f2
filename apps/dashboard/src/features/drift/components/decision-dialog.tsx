"use client";
import * as React from "react";
import { useMutation } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { DECISIONS, type Decision } from "../status";
import { useInvalidateDrift } from "./use-invalidate-drift";

/** Confirms a release, drop or mark-valid: says what it does and requires a reason (kept with the event and in the audit log). */
export function DecisionDialog({ relation, partition, decision, onClose }: { relation: string; partition: string; decision: Decision; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateDrift();
  const [reason, setReason] = React.useState("");
  const info = DECISIONS[decision];
  const onSuccess = async (p: { status: string }) => {
    toast({ title: `${partition} ${info.past}`, description: `${relation} · status ${p.status}`, variant: "success" });
    await invalidate();
    onClose();
  };
  const release = useMutation(trpc.drift.release.mutationOptions({ onSuccess }));
  const drop = useMutation(trpc.drift.drop.mutationOptions({ onSuccess }));
  const markValid = useMutation(trpc.drift.markValid.mutationOptions({ onSuccess }));
  const mutation = decision === "release" ? release : decision === "drop" ? drop : markValid;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return;
    mutation.mutate({ relation, partition, reason: reason.trim() });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="decision-dialog" className="max-w-[calc(100vw-1.5rem)] sm:max-w-lg">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>
              {info.label} <span className="font-mono">{partition}</span>?
            </DialogTitle>
            <DialogDescription>{info.effect}</DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="decision-reason">Reason (required, recorded with the event and in the audit log)</Label>
            <Textarea id="decision-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. the vendor fixed the unit bug; these rows are fine" />
          </div>
          {mutation.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(mutation.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant={decision === "drop" ? "destructive" : "default"} disabled={!reason.trim() || mutation.isPending} data-testid="decision-confirm">
              {mutation.isPending && <Loader2 className="animate-spin" />} {info.label} {partition}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
