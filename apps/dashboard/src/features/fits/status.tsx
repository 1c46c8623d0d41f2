import * as React from "react";
import { Badge } from "@/components/ui/badge";

const VARIANT: Record<string, "success" | "destructive" | "warning" | "secondary" | "default"> = {
  succeeded: "success",
  failed: "destructive",
  dead: "destructive",
  running: "default",
  queued: "warning",
  superseded: "secondary",
  skipped: "warning",
};

export function FitStatusBadge({ status, deadLettered }: { status: string | null | undefined; deadLettered?: boolean }) {
  if (!status) return <span className="text-muted-foreground">—</span>;
  return (
    <Badge variant={VARIANT[status] ?? "secondary"} data-status={status}>
      {status === "running" && <span className="size-1.5 animate-pulse rounded-full bg-current" />}
      {deadLettered ? "dead-lettered" : status}
    </Badge>
  );
}
