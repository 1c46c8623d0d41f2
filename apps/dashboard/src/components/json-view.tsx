import * as React from "react";
import { cn } from "@/lib/utils";

/** Pretty JSON with light syntax colouring (no dangerouslySetInnerHTML). */
export function JsonView({ value, className, maxHeight = "24rem" }: { value: unknown; className?: string; maxHeight?: string }) {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? "undefined";
  } catch {
    text = String(value);
  }
  const parts = text.split(/("(?:\\.|[^"\\])*"(?=\s*:)|"(?:\\.|[^"\\])*"|\b-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\btrue\b|\bfalse\b|\bnull\b)/g);
  return (
    <pre
      className={cn("overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-words", className)}
      style={{ maxHeight }}
    >
      {parts.map((p, i) => {
        if (i % 2 === 0) return p;
        const isKey = p.startsWith('"') && /^\s*:/.test(parts[i + 1] ?? "");
        const cls = p.startsWith('"')
          ? isKey ? "text-primary" : "text-success"
          : p === "null" ? "text-muted-foreground" : "text-[color-mix(in_oklch,var(--warning)_75%,var(--foreground))]";
        return <span key={i} className={cls}>{p}</span>;
      })}
    </pre>
  );
}

/** One-line preview of a JSON value for table cells. */
export function previewJson(value: unknown, max = 120): string {
  let s: string;
  if (typeof value === "string") s = value;
  else {
    try {
      s = JSON.stringify(value) ?? "";
    } catch {
      s = String(value);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
