import * as React from "react";
import { cn } from "@/lib/utils";

export function Kbd({ className, ...props }: React.ComponentProps<"kbd">) {
  return (
    <kbd
      className={cn("inline-flex h-5 min-w-5 items-center justify-center rounded border border-b-2 bg-card px-1 text-[11px] font-medium text-muted-foreground", className)}
      {...props}
    />
  );
}
