"use client";
import { MessageSquare } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/relative-time";
import { cn } from "@/lib/utils";

export interface FeedbackEntry {
  id: string;
  label: "good" | "bad";
  note: string | null;
  correction: unknown;
  actor: string;
  createdAt: Date | string;
}

/** The labels an inference got: label, note, correction, who and when. */
export function FeedbackList({ feedback, size = "xs" }: { feedback: readonly FeedbackEntry[]; size?: "xs" | "sm" }) {
  return (
    <ul className={cn(size === "xs" ? "space-y-1.5 text-xs" : "space-y-2 text-sm")}>
      {feedback.map((f) => (
        <li key={f.id} className="flex items-start gap-2">
          <MessageSquare className={cn("mt-0.5 text-muted-foreground", size === "xs" ? "size-3.5" : "size-4")} />
          <Badge variant={f.label === "good" ? "success" : "destructive"}>{f.label}</Badge>
          <span className="min-w-0 flex-1">
            {f.note && <span className="block">{f.note}</span>}
            {f.correction !== null && f.correction !== undefined && <span className="block text-muted-foreground">correction: {typeof f.correction === "string" ? f.correction : JSON.stringify(f.correction)}</span>}
            <span className={cn("text-muted-foreground", size === "sm" && "text-xs")}>{f.actor} · <RelativeTime date={f.createdAt} /></span>
          </span>
        </li>
      ))}
    </ul>
  );
}
