import * as React from "react";
import { AlertTriangle, Inbox } from "lucide-react";
import { cn } from "@/lib/utils";

export function errorMessage(error: unknown): string {
  if (!error) return "Unknown error";
  const e = error as { message?: string; data?: { code?: string } };
  if (e.data?.code === "FORBIDDEN") return "Your role may not do this.";
  return e.message ?? String(error);
}

export function EmptyState({ title, children, className }: { title: string; children?: React.ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col items-center justify-center gap-1.5 py-10 text-center", className)}>
      <Inbox className="size-6 text-muted-foreground/70" />
      <p className="text-sm font-medium">{title}</p>
      {children && <div className="max-w-md text-xs text-muted-foreground">{children}</div>}
    </div>
  );
}

export function ErrorState({ error, className, retry }: { error: unknown; className?: string; retry?: () => void }) {
  return (
    <div role="alert" className={cn("flex flex-col items-center justify-center gap-1.5 py-10 text-center", className)}>
      <AlertTriangle className="size-6 text-destructive" />
      <p className="text-sm font-medium">Couldn’t load this</p>
      <p className="max-w-md text-xs text-muted-foreground">{errorMessage(error)}</p>
      {retry && (
        <button onClick={retry} className="mt-1 text-xs font-medium text-primary hover:underline">
          Try again
        </button>
      )}
    </div>
  );
}
