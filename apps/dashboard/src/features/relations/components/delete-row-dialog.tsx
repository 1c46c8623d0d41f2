"use client";
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2, Trash2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";

/** Deletes one row (a data-removal request) with what hangs off it; the reason goes to the audit log. */
export function DeleteRowDialog({ id, relation, onClose, onDeleted }: { id: string; relation: string; onClose: () => void; onDeleted: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [reason, setReason] = React.useState("");
  const remove = useMutation(
    trpc.rows.delete.mutationOptions({
      onSuccess: async (deleted) => {
        toast({
          title: "Row deleted",
          description: `${deleted.rowIds.length} row${deleted.rowIds.length === 1 ? "" : "s"}, ${deleted.inferences} inference${deleted.inferences === 1 ? "" : "s"}, ${deleted.feedback} label${deleted.feedback === 1 ? "" : "s"}.`,
          variant: "success",
        });
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.rows.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.relations.pathKey() })]);
        onDeleted();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (reason.trim()) remove.mutate({ id, reason: reason.trim() });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="delete-row-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Delete this {relation} row?</DialogTitle>
            <DialogDescription>This cannot be undone.</DialogDescription>
          </DialogHeader>
          <ul className="list-disc space-y-0.5 rounded-md border bg-muted/40 py-3 pr-3 pl-8 text-sm text-muted-foreground">
            <li>its inferences and the labels on them go too, with the feedback rows mirroring those labels</li>
            <li>if no fit has taken it yet, it is never fitted</li>
            <li>state versions already fitted on it keep what they learned — roll back or refit to drop that</li>
          </ul>
          <div className="grid gap-1.5">
            <Label htmlFor="delete-row-reason">Reason <span className="font-normal text-muted-foreground">(required, recorded in the audit log)</span></Label>
            <Textarea id="delete-row-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. data-removal request #1234" />
          </div>
          {remove.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(remove.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="destructive" disabled={remove.isPending || !reason.trim()}>
              {remove.isPending ? <Loader2 className="animate-spin" /> : <Trash2 />} Delete row
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
