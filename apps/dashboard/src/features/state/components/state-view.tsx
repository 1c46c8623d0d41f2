"use client";
import * as React from "react";
import Link from "next/link";
import { useInfiniteQuery, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowUpRight, GitCommitVertical, Loader2, Pin, PinOff, RotateCcw } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { LiveIndicator } from "@/components/live-indicator";
import { formatBytes, formatCount } from "@/lib/time";
import { RequireRole } from "@/features/auth/role";
import { AliasHistory } from "./alias-history";
import { FitMetricsCard } from "./fit-metrics-card";
import { ParamsCard } from "./params-card";
import { RollbackDialog } from "./rollback-dialog";
import { UnpinDialog } from "./unpin-dialog";
import { VersionDetail } from "./version-detail";
import { formatGoodRate, formatInterval, formatLabels } from "../outcome-format";

export function StateView({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const info = useQuery(trpc.triggers.get.queryOptions({ trigger }, { refetchInterval: 5000 }));
  const versions = useInfiniteQuery(
    trpc.state.versions.infiniteQueryOptions({ trigger }, { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: 5000 }),
  );
  const items = React.useMemo(() => versions.data?.pages.flatMap((p) => p.items) ?? [], [versions.data]);
  // Each page of the timeline reads its versions' outcomes (rollup tables: cheap at any volume).
  const outcomePages = useQueries({
    queries: (versions.data?.pages ?? [])
      .filter((p) => p.items.length > 0)
      .map((p) => trpc.state.outcomes.queryOptions({ trigger, versions: p.items.map((v) => v.version) }, { refetchInterval: 10_000 })),
  });
  const outcomeOf = new Map(outcomePages.flatMap((q) => q.data?.items ?? []).map((o) => [o.version, o]));
  const [selected, setSelected] = React.useState<number | null>(null);
  const [rollbackTo, setRollbackTo] = React.useState<number | null>(null);
  const [unpinning, setUnpinning] = React.useState(false);
  const active = info.data?.activeVersion ?? undefined;
  const latest = info.data?.latestVersion ?? undefined;
  const shown = selected ?? active ?? null;

  return (
    <div className="space-y-5 p-4 md:p-6">
      {info.data?.pinned && active !== undefined && (
        <div role="status" data-testid="pinned-banner" className="flex flex-wrap items-center gap-3 rounded-lg border border-warning/40 bg-warning/10 px-4 py-2.5 text-sm">
          <Pin className="size-4 shrink-0 text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]" />
          <p className="min-w-0 flex-1">
            <span className="font-medium">Active is pinned to v{active}.</span>{" "}
            <span className="text-muted-foreground">A rollback pinned it: fits are held and active does not follow latest until it is unpinned.</span>
          </p>
          <RequireRole role="admin">
            <Button variant="outline" size="sm" onClick={() => setUnpinning(true)} data-testid="unpin">
              <PinOff /> Unpin
            </Button>
          </RequireRole>
        </div>
      )}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Active (infer reads)" testId="state-active">
          {active === undefined ? <Skeleton className="h-7 w-12" /> : <>v{active}{info.data?.pinned && <Badge variant="warning" className="ml-2 align-middle"><Pin /> pinned</Badge>}</>}
        </Stat>
        <Stat label="Latest (newest fit)">{latest === undefined ? <Skeleton className="h-7 w-12" /> : `v${latest}`}</Stat>
        <Stat label="Pending rows">
          {info.data ? (
            <>
              {formatCount(info.data.pendingRows)}
              {info.data.heldRows > 0 && (
                <span className="ml-2 text-xs font-normal text-amber-700 dark:text-amber-400" title="Held back by drift until an operator releases their partition">
                  {formatCount(info.data.heldRows)} held by drift
                </span>
              )}
            </>
          ) : <Skeleton className="h-7 w-12" />}
        </Stat>
        <Stat label="Last fit">
          {info.data?.lastFit ? (
            <span className="text-sm"><Link className="hover:underline" href={`/fits/${info.data.lastFit.id}`}>{info.data.lastFit.status}</Link> · <RelativeTime date={info.data.lastFit.finishedAt ?? info.data.lastFit.queuedAt} /></span>
          ) : (
            <span className="text-base text-muted-foreground">none yet</span>
          )}
        </Stat>
      </div>

      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,22rem)]">
        <Card className="min-w-0">
          <CardHeader>
            <div>
              <CardTitle>Version timeline</CardTitle>
              <CardDescription>Versions are immutable; each fit commits parent ⊕ patch.</CardDescription>
            </div>
            <LiveIndicator updatedAt={versions.dataUpdatedAt} fetching={versions.isFetching} />
          </CardHeader>
          <Table data-testid="versions-table">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Version</TableHead>
                <TableHead>Parent</TableHead>
                <TableHead title="The trigger's state schema version this state is in (stateSchema); a migration makes a new version in the current one">Schema</TableHead>
                <TableHead>Produced by</TableHead>
                <TableHead className="text-right" title="Share of good among the latest labels of this version's inferences, with its 95% interval">Good-rate</TableHead>
                <TableHead className="text-right">Labels</TableHead>
                <TableHead className="text-right">Size</TableHead>
                <TableHead>Checksum</TableHead>
                <TableHead>Created</TableHead>
                <TableHead className="w-24" />
              </TableRow>
            </TableHeader>
            <TableBody>
              {versions.isPending ? (
                Array.from({ length: 4 }, (_, i) => <TableRow key={i}><TableCell colSpan={10}><Skeleton className="h-5" /></TableCell></TableRow>)
              ) : versions.isError ? (
                <TableMessage colSpan={10}><ErrorState error={versions.error} retry={() => versions.refetch()} className="py-2" /></TableMessage>
              ) : items.length === 0 ? (
                <TableMessage colSpan={10}>No versions yet.</TableMessage>
              ) : (
                items.map((v) => (
                  <TableRow
                    key={v.version}
                    data-state={shown === v.version ? "selected" : undefined}
                    className="cursor-pointer"
                    onClick={() => {
                      setSelected(v.version);
                      // Narrow screens stack the detail under the timeline: bring it into view.
                      if (window.matchMedia("(max-width: 1279.98px)").matches) requestAnimationFrame(() => document.getElementById("version-detail")?.scrollIntoView({ block: "start" }));
                    }}
                    data-testid={`version-row-${v.version}`}
                  >
                    <TableCell>
                      <span className="inline-flex items-center gap-1.5 font-medium">
                        <GitCommitVertical className="size-4 text-muted-foreground" /> v{v.version}
                        {v.version === active && <Badge>active</Badge>}
                        {v.version === latest && <Badge variant="outline">latest</Badge>}
                        {v.collectedAt && (
                          <Badge variant="secondary" data-testid={`collected-${v.version}`} title="The state GC (trigger retention.keepVersions) deleted this version's values; its manifest and history stay">
                            blobs collected
                          </Badge>
                        )}
                      </span>
                    </TableCell>
                    <TableCell className="text-muted-foreground">{v.parent === null ? "—" : `v${v.parent}`}</TableCell>
                    <TableCell className="text-xs tabular-nums" data-testid={`version-schema-${v.version}`}>{v.schema}</TableCell>
                    <TableCell>
                      {v.fitRunId ? (
                        <Link href={`/fits/${v.fitRunId}`} className="font-mono text-xs whitespace-nowrap text-primary hover:underline" title={v.fit?.rowCount != null ? `${v.fit.rowCount} rows` : undefined} onClick={(e) => e.stopPropagation()}>
                          fit {v.fitRunId.slice(-6)}
                        </Link>
                      ) : v.parent !== null ? (
                        <span className="font-mono text-xs whitespace-nowrap text-muted-foreground" title={`State migrated from v${v.parent} to schema ${v.schema}`}>migration:{v.schema}</span>
                      ) : (
                        <span className="text-xs text-muted-foreground">setUp</span>
                      )}
                    </TableCell>
                    <TableCell className="text-right text-xs whitespace-nowrap tabular-nums" data-testid="version-good-rate" title={outcomeOf.get(v.version)?.feedback.interval ? `95% interval ${formatInterval(outcomeOf.get(v.version)!.feedback)}` : "no labels yet"}>
                      {outcomeOf.has(v.version) ? formatGoodRate(outcomeOf.get(v.version)!.feedback) : "…"}
                    </TableCell>
                    <TableCell className="text-right text-xs whitespace-nowrap text-muted-foreground tabular-nums" data-testid="version-labels" title={outcomeOf.has(v.version) ? `${formatCount(outcomeOf.get(v.version)!.inferences)} inferences` : undefined}>
                      {outcomeOf.has(v.version) ? formatLabels(outcomeOf.get(v.version)!.feedback.labeled) : "…"}
                    </TableCell>
                    <TableCell className="text-right text-xs whitespace-nowrap tabular-nums">{formatBytes(v.size)}</TableCell>
                    <TableCell className="font-mono text-xs text-muted-foreground" title={`SHA-256 over the version's keys and value checksums: ${v.checksum}`} data-testid="version-checksum">{v.checksum.slice(0, 12)}</TableCell>
                    <TableCell className="whitespace-nowrap"><RelativeTime date={v.createdAt} className="text-xs text-muted-foreground" /></TableCell>
                    <TableCell className="py-1 text-right">
                      {v.version !== active && (
                        <RequireRole role="admin">
                          <Button
                            variant="outline"
                            size="sm"
                            data-testid={`rollback-${v.version}`}
                            // A collected version has no values to serve: the API refuses it too.
                            disabled={v.collectedAt !== null}
                            title={v.collectedAt !== null ? "Its values were garbage-collected (keepVersions): cannot become active" : undefined}
                            onClick={(e) => {
                              e.stopPropagation();
                              setRollbackTo(v.version);
                            }}
                          >
                            {active !== undefined && v.version > active ? <><ArrowUpRight /> Move forward</> : <><RotateCcw /> Roll back</>}
                          </Button>
                        </RequireRole>
                      )}
                    </TableCell>
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
          {versions.hasNextPage && (
            <div className="border-t p-2 text-center">
              <Button variant="ghost" size="sm" onClick={() => versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>
                {versions.isFetchingNextPage && <Loader2 className="animate-spin" />} Older versions
              </Button>
            </div>
          )}
        </Card>
        <div className="min-w-0 scroll-mt-14" id="version-detail">
          {shown === null ? <Skeleton className="h-64" /> : <VersionDetail trigger={trigger} version={shown} />}
        </div>
      </div>

      <FitMetricsCard trigger={trigger} />

      {info.data && <ParamsCard trigger={trigger} params={info.data.params} paramsHash={info.data.paramsHash} />}

      <AliasHistory trigger={trigger} />

      {rollbackTo !== null && active !== undefined && (
        <RollbackDialog trigger={trigger} from={active} to={rollbackTo} onClose={() => setRollbackTo(null)} />
      )}
      {unpinning && active !== undefined && <UnpinDialog trigger={trigger} active={active} latest={latest} onClose={() => setUnpinning(false)} />}
    </div>
  );
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className="px-4 py-3">
      <div className="text-xs text-muted-foreground">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums" data-testid={testId}>{children}</div>
    </Card>
  );
}

export function useInvalidateTrigger(trigger: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return React.useCallback(async () => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: trpc.triggers.pathKey() }),
      qc.invalidateQueries({ queryKey: trpc.state.pathKey() }),
      qc.invalidateQueries({ queryKey: trpc.experiments.pathKey() }),
      qc.invalidateQueries({ queryKey: trpc.stats.pathKey() }),
    ]);
    void trigger;
  }, [qc, trpc, trigger]);
}

