"use client";
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { useCan } from "@/features/auth/role";
import { formatCount } from "@/lib/time";
import { cn } from "@/lib/utils";
import { findingRows, formatStat } from "../findings";
import { formatZ } from "../heatmap";
import { allowedDecisions, DECISIONS, type Decision } from "../status";
import { DecisionDialog } from "./decision-dialog";
import { EventsList } from "./events-list";
import { DriftStatusBadge } from "./status-badge";

const ORDER: Decision[] = ["release", "drop", "markValid"];

/** One partition: status, the sentences saying which columns moved and how, every finding, decisions and events. */
export function PartitionSheet({ relation, partition, onClose }: { relation: string; partition: string | null; onClose: () => void }) {
  return (
    <Sheet open={partition !== null} onOpenChange={(open) => !open && onClose()}>
      <SheetContent aria-describedby={undefined} data-testid="partition-detail" className="overflow-y-auto">
        {partition !== null && <PartitionDetail relation={relation} partition={partition} />}
      </SheetContent>
    </Sheet>
  );
}

function PartitionDetail({ relation, partition }: { relation: string; partition: string }) {
  const trpc = useTRPC();
  const canDecide = useCan("labeler");
  const [deciding, setDeciding] = React.useState<Decision | null>(null);
  const view = useQuery(trpc.drift.profile.queryOptions({ relation, partition }, { refetchInterval: 10_000 }));
  const verdict = view.data?.verdict ?? null;
  const allowed = verdict ? allowedDecisions(verdict.status, verdict.valid) : [];
  const rows = React.useMemo(() => (view.data ? findingRows(view.data.findings, verdict?.columns ?? []) : []), [view.data, verdict]);

  return (
    <>
      <SheetHeader>
        <SheetTitle className="flex flex-wrap items-center gap-2">
          <span className="font-mono">{partition}</span>
          {verdict && <DriftStatusBadge status={verdict.status} />}
        </SheetTitle>
        <SheetDescription>
          {relation}
          {view.data && <> · {formatCount(view.data.rows)} rows</>}
          {verdict && verdict.score !== null && <> · score {formatZ(verdict.score)} / threshold {verdict.threshold}</>}
          {verdict && <> · compared with {verdict.history} earlier valid partitions</>}
          {verdict?.checkedAt && <> · checked <RelativeTime date={verdict.checkedAt} /></>}
        </SheetDescription>
      </SheetHeader>
      {view.isPending ? (
        <div className="space-y-3 p-5">
          <Skeleton className="h-6 w-2/3" />
          <Skeleton className="h-40 w-full" />
        </div>
      ) : view.isError ? (
        <ErrorState error={view.error} retry={() => view.refetch()} />
      ) : (
        <div className="space-y-5 p-5">
          <section className="flex flex-wrap gap-2" aria-label="Decisions">
            {ORDER.map((d) => {
              const applies = allowed.includes(d);
              const reason = !canDecide ? "Requires the labeler or admin role" : !applies ? `Not for a partition that is ${verdict?.status ?? "not judged"}` : DECISIONS[d].effect;
              return (
                <Button
                  key={d}
                  size="sm"
                  variant={d === "drop" ? "outline" : d === "release" ? "default" : "secondary"}
                  disabled={!canDecide || !applies}
                  title={reason}
                  onClick={() => setDeciding(d)}
                  data-testid={`decision-${d}`}
                >
                  {DECISIONS[d].label}
                </Button>
              );
            })}
          </section>

          <section>
            <h3 className="mb-1.5 text-sm font-semibold">What moved</h3>
            {view.data.explanation.length ? (
              <ul className="space-y-1 text-sm" data-testid="drift-explanation">
                {view.data.explanation.map((sentence, i) => (
                  <li key={i} className="rounded-md border-l-2 border-destructive/60 bg-destructive/5 px-2.5 py-1 font-mono text-xs break-words">{sentence}</li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground" data-testid="drift-explanation">
                {verdict === null ? "Not judged yet." : verdict.status === "insufficient-history" ? "Not compared: too few earlier valid partitions." : "No column moved past the threshold."}
              </p>
            )}
          </section>

          <section>
            <h3 className="mb-1.5 text-sm font-semibold">Findings <span className="font-normal text-muted-foreground">(every compared statistic, strongest first)</span></h3>
            <div className="overflow-x-auto rounded-md border">
              <Table data-testid="findings-table" className="text-xs">
                <TableHeader>
                  <TableRow>
                    <TableHead>Column</TableHead>
                    <TableHead>Statistic</TableHead>
                    <TableHead className="text-right">Value</TableHead>
                    <TableHead className="text-right">History</TableHead>
                    <TableHead className="text-right">Std</TableHead>
                    <TableHead className="text-right">z</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {rows.length === 0 ? (
                    <TableRow>
                      <TableCell colSpan={6} className="py-4 text-center text-muted-foreground">No comparisons.</TableCell>
                    </TableRow>
                  ) : (
                    rows.map((f) => (
                      <TableRow key={`${f.column}.${f.statistic}`} className={cn(f.responsible && "bg-destructive/5 font-medium")} data-testid="finding-row" data-responsible={f.responsible || undefined}>
                        <TableCell className="font-mono">{f.column}</TableCell>
                        <TableCell>{f.statistic}{f.label ? <span className="ml-1 font-mono text-xs text-muted-foreground" title="the value whose share moved">“{f.label}”</span> : null}</TableCell>
                        <TableCell className="text-right tabular-nums">{formatStat(f.statistic, f.value)}</TableCell>
                        <TableCell className="text-right tabular-nums">{formatStat(f.statistic, f.mean)}</TableCell>
                        <TableCell className="text-right tabular-nums">{formatStat(f.statistic, f.std)}</TableCell>
                        <TableCell className={cn("text-right tabular-nums", verdict && Math.abs(f.z) >= verdict.threshold && "text-destructive")}>{formatZ(f.z)}</TableCell>
                      </TableRow>
                    ))
                  )}
                </TableBody>
              </Table>
            </div>
          </section>

          <section>
            <h3 className="mb-1 text-sm font-semibold">Events</h3>
            <EventsList relation={relation} partition={partition} />
          </section>
        </div>
      )}
      {deciding && <DecisionDialog relation={relation} partition={partition} decision={deciding} onClose={() => setDeciding(null)} />}
    </>
  );
}
