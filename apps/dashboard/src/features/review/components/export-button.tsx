"use client";
import * as React from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Download, Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";

/** Downloads the labeled set of a trigger as OpenAI fine-tuning JSONL. */
export function ExportButton({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [pending, setPending] = React.useState(false);
  const run = async () => {
    setPending(true);
    try {
      const result = await qc.fetchQuery({ ...trpc.feedback.export.queryOptions({ trigger, format: "openai-jsonl" }), staleTime: 0 });
      const blob = new Blob([result.content], { type: "application/jsonl" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `${trigger}-finetune.jsonl`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      toast({ title: `Exported ${result.lines} example${result.lines === 1 ? "" : "s"}`, description: result.skipped ? `${result.skipped} bad label(s) without a correction were skipped.` : undefined, variant: "success" });
    } catch (e) {
      toast({ title: "Export failed", description: errorMessage(e), variant: "error" });
    } finally {
      setPending(false);
    }
  };
  return (
    <Button variant="outline" size="sm" onClick={run} disabled={pending} data-testid="export-jsonl">
      {pending ? <Loader2 className="animate-spin" /> : <Download />} Export JSONL
    </Button>
  );
}
