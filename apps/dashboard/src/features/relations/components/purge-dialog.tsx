"use client";
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2, Trash2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import type { RouterOutputs } from "@/lib/trpc/types";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { formatCount } from "@/lib/time";
import { addPurgeReports, defaultPurgeCutoff, parseLocalCutoff, type PurgeTotals } from "../purge";

type Report = RouterOutputs["rows"]["purge"];

/**
 * "Delete rows older than…": calls rows.purge until it reports done (each call stops after a
 * time budget), adding up what each call deleted.
 */
export function PurgeDialog({ relation, retentionDays, onClose }: { relation: string; retentionDays: number | null; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [cutoff, setCutoff] = React.useState(() => defaultPurgeCutoff(new Date(), retentionDays));
  const [reason, setReason] = React.useState("");
  const [totals, setTotals] = React.useState<PurgeTotals | null>(null);
  const purge = useMutation(trpc.rows.purge.mutationOptions());
  const before = parseLocalCutoff(cutoff, new Date());

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!before.ok || !reason.trim()) return;
    let sum: PurgeTotals | null = null;
    for (;;) {
      let report: Report;
      try {
        report = await purge.mutateAsync({ relation, before: before.date, reason: reason.trim() });
      } catch {
        break; // shown from purge.error
      }
      sum = addPurgeReports(sum, report);
      setTotals(sum);
      if (report.done) {
        toast({ title: `Deleted ${formatCount(sum.rows)} ${relation} rows`, description: `${formatCount(sum.inferences)} inferences, ${formatCount(sum.feedback)} labels.`, variant: "success" });
        break;
      }
    }
    await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.rows.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.relations.pathKey() })]);
  };

  return (
    <Dialog open onOpenChange={(open) => !open && !purge.isPending && onClose()}>
      <DialogContent data-testid="purge-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Delete {relation} rows older than…</DialogTitle>
            <DialogDescription>
              {retentionDays !== null ? `This relation keeps rows ${retentionDays} days by policy; this runs the same deletion now, with your cut-off.` : "This relation keeps rows forever unless you delete them here."}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="purge-before">Rows stored before</Label>
            <Input id="purge-before" type="datetime-local" value={cutoff} onChange={(e) => setCutoff(e.target.value)} aria-invalid={!before.ok} />
            {!before.ok && <p className="text-xs text-destructive">{before.message}</p>}
          </div>
          <ul className="list-disc space-y-0.5 rounded-md border bg-muted/40 py-3 pr-3 pl-8 text-sm text-muted-foreground">
            <li>their inferences and labels go too; this cannot be undone</li>
            <li>rows no fit has taken yet are kept until fitted</li>
            <li>runs in batches: answers keep being served meanwhile</li>
          </ul>
          <div className="grid gap-1.5">
            <Label htmlFor="purge-reason">Reason <span className="font-normal text-muted-foreground">(required, recorded in the audit log)</span></Label>
            <Textarea id="purge-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. 90-day data-retention policy" />
          </div>
          {totals && (
            <p className="text-sm" data-testid="purge-result">
              {purge.isPending ? "Deleting… " : "Deleted "}
              {formatCount(totals.rows)} rows, {formatCount(totals.inferences)} inferences, {formatCount(totals.feedback)} labels
              {totals.keptPending > 0 && <> · kept {formatCount(totals.keptPending)} rows not yet fitted</>}
            </p>
          )}
          {purge.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(purge.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose} disabled={purge.isPending}>{totals && !purge.isPending ? "Close" : "Cancel"}</Button>
            <Button type="submit" variant="destructive" disabled={purge.isPending || !before.ok || !reason.trim()}>
              {purge.isPending ? <Loader2 className="animate-spin" /> : <Trash2 />} Delete rows
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
