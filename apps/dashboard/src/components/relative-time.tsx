"use client";
import * as React from "react";
import { exactTime, relativeTime } from "@/lib/time";
import { Tooltip } from "@/components/ui/tooltip";

/** Relative time that ticks, with the exact time on hover. Renders the same text on server and client first pass. */
export function RelativeTime({ date, className }: { date: Date | string | number | null | undefined; className?: string }) {
  const [now, setNow] = React.useState<number | null>(null);
  React.useEffect(() => {
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(id);
  }, []);
  if (date === null || date === undefined) return <span className="text-muted-foreground">—</span>;
  const iso = new Date(date).toISOString();
  return (
    <Tooltip content={exactTime(date)}>
      <time dateTime={iso} title={exactTime(date)} className={className} suppressHydrationWarning>
        {now === null ? relativeTime(date) : relativeTime(date, now)}
      </time>
    </Tooltip>
  );
}
