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
import { useInvalidateTrigger } from "./state-view";

/** Promote (candidate → active) or abort (clear the candidate), with a recorded reason. */
export function CandidateMoveDialog({ trigger, action, candidate, active, onClose }: { trigger: string; action: "promote" | "abort"; candidate: number; active: number; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const [reason, setReason] = React.useState("");
  const options = {
    onSuccess: async () => {
      toast({ title: action === "promote" ? `v${candidate} is active` : `Candidate v${candidate} aborted`, variant: "success" as const });
      await invalidate();
      onClose();
    },
  };
  const promote = useMutation(trpc.experiments.promote.mutationOptions(options));
  const abort = useMutation(trpc.experiments.abort.mutationOptions(options));
  const mutation = action === "promote" ? promote : abort;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    mutation.mutate({ trigger, reason: reason.trim() });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="candidate-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{action === "promote" ? `Promote v${candidate}?` : `Abort candidate v${candidate}?`}</DialogTitle>
            <DialogDescription>
              {action === "promote"
                ? `Active moves from v${active} to v${candidate}; shadow and canary stop (no candidate left).`
                : `Active stays on v${active}; shadow and canary stop.`}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="candidate-reason">Reason <span className="font-normal text-muted-foreground">(recorded with the move)</span></Label>
            <Textarea id="candidate-reason" autoFocus required value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. not worse on 2,000 shadowed rows" />
          </div>
          {mutation.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(mutation.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant={action === "abort" ? "destructive" : "default"} disabled={mutation.isPending || !reason.trim()}>
              {mutation.isPending && <Loader2 className="animate-spin" />} {action === "promote" ? "Promote" : "Abort"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
