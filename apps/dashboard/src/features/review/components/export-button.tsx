"use client";
import * as React from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ChevronDown, Download, Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";

type Format = "openai-jsonl" | "jsonl" | "csv";

const FORMATS: { format: Format; label: string; hint: string; file: (trigger: string) => string; type: string }[] = [
  { format: "openai-jsonl", label: "Fine-tuning JSONL", hint: "OpenAI chat examples, via the app's mapping", file: (t) => `${t}-finetune.jsonl`, type: "application/jsonl" },
  { format: "jsonl", label: "Raw labels (JSONL)", hint: "input, output, label, correction, note, labeler", file: (t) => `${t}-labels.jsonl`, type: "application/jsonl" },
  { format: "csv", label: "Raw labels (CSV)", hint: "the same, for a spreadsheet", file: (t) => `${t}-labels.csv`, type: "text/csv" },
];

/** Downloads the labeled set of a trigger: fine-tuning examples or the raw labels. */
export function ExportButton({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [pending, setPending] = React.useState(false);
  const run = async (choice: (typeof FORMATS)[number]) => {
    setPending(true);
    try {
      // The export comes in pages (1,000 labeled inferences each): fetch them all, then save one file.
      const parts: string[] = [];
      const result = { lines: 0, skipped: 0 };
      let cursor: string | null = null;
      do {
        const page: { content: string; lines: number; skipped: number; nextCursor: string | null } = await qc.fetchQuery({ ...trpc.feedback.export.queryOptions({ trigger, format: choice.format, cursor }), staleTime: 0 });
        parts.push(page.content);
        result.lines += page.lines;
        result.skipped += page.skipped;
        cursor = page.nextCursor;
      } while (cursor);
      const blob = new Blob(parts, { type: choice.type });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = choice.file(trigger);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      const noun = choice.format === "openai-jsonl" ? "example" : "label";
      toast({
        title: `Exported ${result.lines} ${noun}${result.lines === 1 ? "" : "s"}`,
        description: result.skipped ? `${result.skipped} label(s) teach no answer (e.g. bad without a correction) and were left out.` : undefined,
        variant: "success",
      });
    } catch (e) {
      toast({ title: "Export failed", description: errorMessage(e), variant: "error" });
    } finally {
      setPending(false);
    }
  };
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" disabled={pending} data-testid="export-menu">
          {pending ? <Loader2 className="animate-spin" /> : <Download />} Export <ChevronDown />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>Labeled inferences of {trigger}</DropdownMenuLabel>
        <DropdownMenuSeparator />
        {FORMATS.map((f) => (
          <DropdownMenuItem key={f.format} onSelect={() => void run(f)} data-testid={`export-${f.format}`}>
            <span className="grid">
              <span>{f.label}</span>
              <span className="text-xs text-muted-foreground">{f.hint}</span>
            </span>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
