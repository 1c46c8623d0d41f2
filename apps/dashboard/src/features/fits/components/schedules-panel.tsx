"use client";
import * as React from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarClock, Loader2, Play } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { RelativeTime } from "@/components/relative-time";
import { ErrorState, errorMessage } from "@/components/states";
import { formatCount } from "@/lib/time";
import { RequireRole } from "@/features/auth/role";
import { FitStatusBadge } from "../status";

/**
 * Scheduled routes (route option `schedule`): cron and time zone, what happens to missed ticks,
 * when the next run is due and how the last one went. Hidden when the app declares none.
 */
export function SchedulesPanel({ trigger }: { trigger?: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const schedules = useQuery(trpc.schedules.list.queryOptions(trigger ? { trigger } : {}, { refetchInterval: 5000, placeholderData: (p) => p }));
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onSuccess: async (r) => {
        toast({ title: `Scheduled fit of ${r.trigger}/${r.route} queued`, description: `${formatCount(r.rows)} waiting row${r.rows === 1 ? "" : "s"}`, variant: "success" });
        await qc.invalidateQueries({ queryKey: trpc.schedules.pathKey() });
        await qc.invalidateQueries({ queryKey: trpc.fits.pathKey() });
      },
      onError: (error) => toast({ title: "Run now failed", description: errorMessage(error), variant: "error" }),
    }),
  );
  if (schedules.isError) return <ErrorState error={schedules.error} retry={() => schedules.refetch()} />;
  const items = schedules.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="space-y-2" aria-labelledby="schedules-heading" data-testid="schedules-panel">
      <h2 id="schedules-heading" className="flex items-center gap-2 text-sm font-medium">
        <CalendarClock className="size-4" /> Schedules
      </h2>
      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="schedules-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Trigger / route</TableHead>
              <TableHead>Cron</TableHead>
              <TableHead className="max-md:hidden">Missed ticks</TableHead>
              <TableHead>Next run</TableHead>
              <TableHead>Last run</TableHead>
              <TableHead className="text-right max-md:hidden">Waiting rows</TableHead>
              <TableHead className="w-0" />
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((s) => {
              const key = `${s.trigger}/${s.route}`;
              const last = s.lastRun;
              return (
                <TableRow key={key} data-testid="schedule-row" data-schedule={key}>
                  <TableCell>
                    <span className="font-medium">{s.trigger}</span>
                    <span className="text-muted-foreground"> / {s.route}</span>
                  </TableCell>
                  <TableCell>
                    <code className="rounded bg-muted px-1.5 py-0.5 text-xs" data-testid="schedule-cron">{s.cron}</code>
                    <span className="ml-2 text-xs text-muted-foreground" data-testid="schedule-timezone">{s.timezone}</span>
                  </TableCell>
                  <TableCell className="max-md:hidden">
                    <span className="text-xs text-muted-foreground" title={s.missed === "runOnce" ? "one catch-up run covers the ticks missed while no process was up" : "ticks missed while no process was up are not run"}>
                      {s.missed === "runOnce" ? "run once" : "skip"}
                    </span>
                  </TableCell>
                  <TableCell data-testid="schedule-next"><RelativeTime date={s.nextRunAt} className="text-xs" /></TableCell>
                  <TableCell data-testid="schedule-last">
                    {last ? (
                      <span className="flex flex-wrap items-center gap-1.5 text-xs">
                        <FitStatusBadge status={last.status} />
                        <Link href={`/fits/${last.runId}`} className="hover:underline"><RelativeTime date={last.tickAt} /></Link>
                        {last.kind === "manual" && <Badge variant="secondary">manual</Badge>}
                        {last.missed > 0 && <Badge variant="warning" title="cron instants this catch-up run covered">+{last.missed} missed</Badge>}
                        {last.producedVersion !== null ? <Badge variant="outline">v{last.producedVersion}</Badge> : last.status === "succeeded" ? <span className="text-muted-foreground">no change</span> : null}
                      </span>
                    ) : (
                      <span className="text-xs text-muted-foreground">never</span>
                    )}
                  </TableCell>
                  <TableCell className="text-right tabular-nums max-md:hidden">{formatCount(s.pendingRows)}</TableCell>
                  <TableCell>
                    <RequireRole role="admin">
                      <Button
                        size="sm"
                        variant="outline"
                        disabled={runNow.isPending}
                        onClick={() => runNow.mutate({ trigger: s.trigger, route: s.route, reason: "run now from the console" })}
                        data-testid="schedule-run-now"
                      >
                        {runNow.isPending && runNow.variables?.route === s.route ? <Loader2 className="animate-spin" /> : <Play />} Run now
                      </Button>
                    </RequireRole>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
    </section>
  );
}
