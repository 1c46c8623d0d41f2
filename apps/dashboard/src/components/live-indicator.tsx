"use client";
import * as React from "react";
import { cn } from "@/lib/utils";
import { RelativeTime } from "@/components/relative-time";

/** "Live · updated 5 s ago": tells the operator the view refreshes on its own and how fresh it is. */
export function LiveIndicator({ updatedAt, fetching, className }: { updatedAt: number; fetching?: boolean; className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-1.5 text-xs text-muted-foreground", className)} aria-live="polite">
      <span className="relative flex size-2">
        <span className={cn("absolute inline-flex size-full rounded-full bg-success opacity-60", fetching && "animate-ping")} />
        <span className="relative inline-flex size-2 rounded-full bg-success" />
      </span>
      Live · updated {updatedAt ? <RelativeTime date={updatedAt} /> : "—"}
    </span>
  );
}
