"use client";
import * as React from "react";
import { useMutation } from "@tanstack/react-query";
import { Loader2, PinOff } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { useInvalidateTrigger } from "./state-view";

/** Lets `active` follow `latest` again after a pinned rollback (held fits resume). */
export function UnpinDialog({ trigger, active, latest, onClose }: { trigger: string; active: number; latest: number | undefined; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const [reason, setReason] = React.useState("");
  const unpin = useMutation(
    trpc.state.unpin.mutationOptions({
      onSuccess: async () => {
        toast({ title: `${trigger} unpinned`, description: "Active follows latest again; held fits resume.", variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    unpin.mutate({ trigger, ...(reason.trim() ? { reason: reason.trim() } : {}) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="unpin-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Unpin {trigger}?</DialogTitle>
            <DialogDescription>Active stays on v{active} for now and moves with the next fit.</DialogDescription>
          </DialogHeader>
          <ul className="list-disc space-y-0.5 rounded-md border bg-muted/40 py-3 pr-3 pl-8 text-sm text-muted-foreground">
            <li>fits held by the pin resume{latest !== undefined && latest !== active ? ` (latest is v${latest})` : ""}</li>
            <li>each new version becomes active as soon as it is committed</li>
          </ul>
          <div className="grid gap-1.5">
            <Label htmlFor="unpin-reason">Reason <span className="font-normal text-muted-foreground">(optional, recorded in the alias history)</span></Label>
            <Textarea id="unpin-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. the fix for the bad batch is in" />
          </div>
          {unpin.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(unpin.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={unpin.isPending}>
              {unpin.isPending ? <Loader2 className="animate-spin" /> : <PinOff />} Unpin
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
