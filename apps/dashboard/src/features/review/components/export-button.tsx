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
      // The export comes in pages (1,000 labeled inferences each): fetch them all, then save one file.
      const parts: string[] = [];
      const result = { lines: 0, skipped: 0 };
      let cursor: string | null = null;
      do {
        const page: { content: string; lines: number; skipped: number; nextCursor: string | null } = await qc.fetchQuery({ ...trpc.feedback.export.queryOptions({ trigger, format: "openai-jsonl", cursor }), staleTime: 0 });
        parts.push(page.content);
        result.lines += page.lines;
        result.skipped += page.skipped;
        cursor = page.nextCursor;
      } while (cursor);
      const blob = new Blob(parts, { type: "application/jsonl" });
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
