"use client";
import * as React from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/components/states";
import { RequireRole } from "@/features/auth/role";
import { useToast } from "@/components/ui/toast";
import { CandidateMoveDialog } from "./candidate-move-dialog";
import { ShadowDiffTable } from "./shadow-diff-table";
import { useInvalidateTrigger } from "./state-view";

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The trigger's experiment on the Compare view: its candidate (or a button to make the picked
 * version one), shadow and canary shares, promote / abort for admins, and for shadow runs the
 * rows where the two answers differ.
 */
export function CandidatePanel({ trigger, picked }: { trigger: string; picked: number }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const experiment = useQuery(trpc.experiments.get.queryOptions({ trigger }, { refetchInterval: 15_000 }));
  const candidate = experiment.data?.candidate ?? null;
  const summary = useQuery(trpc.experiments.shadowSummary.queryOptions({ trigger, version: candidate ?? 0 }, { enabled: candidate !== null, refetchInterval: 15_000 }));
  const [move, setMove] = React.useState<"promote" | "abort" | null>(null);
  const setCandidate = useMutation(
    trpc.experiments.setCandidate.mutationOptions({
      onSuccess: async () => {
        toast({ title: `v${picked} is the candidate`, variant: "success" });
        await invalidate();
      },
      onError: (error) => toast({ title: "Could not set the candidate", description: errorMessage(error), variant: "error" }),
    }),
  );
  if (!experiment.data) return null;
  const e = experiment.data;
  const s = summary.data;
  return (
    <Card data-testid="candidate-panel">
      <CardHeader>
        <div>
          <CardTitle>Candidate</CardTitle>
          <CardDescription>
            A version tried next to active before it gets everyone: shadow answers a share of rows with it (callers never see them), canary serves a share of callers.
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="grid gap-3">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {candidate === null ? (
            <span className="text-muted-foreground" data-testid="candidate-none">No candidate.</span>
          ) : (
            <Badge variant="secondary" data-testid="candidate-version">candidate v{candidate}</Badge>
          )}
          <span className="text-muted-foreground">active v{e.active}{e.pinned ? " (pinned)" : ""} · shadow {pct(e.shadow.share)} · canary {pct(e.canary.share)}{e.rule ? ` · rule ${e.rule.name}: ${e.rule.minLabels} labels at ${e.rule.confidence}` : ""}</span>
          <RequireRole role="admin">
            <div className="ml-auto flex gap-2">
              {candidate === null && picked !== e.active && (
                <Button size="sm" variant="outline" onClick={() => setCandidate.mutate({ trigger, version: picked, reason: "set from Compare" })} disabled={setCandidate.isPending} data-testid="candidate-set">
                  Make v{picked} the candidate
                </Button>
              )}
              {candidate !== null && (
                <>
                  <Button size="sm" onClick={() => setMove("promote")} data-testid="candidate-promote">Promote v{candidate}…</Button>
                  <Button size="sm" variant="outline" onClick={() => setMove("abort")} data-testid="candidate-abort">Abort…</Button>
                </>
              )}
            </div>
          </RequireRole>
        </div>
        {candidate !== null && s && (
          <p className="text-sm text-muted-foreground" data-testid="shadow-summary">
            {s.shadowed} shadowed, {s.differing} answered differently
            {s.activeGoodRate && s.candidateGoodRate
              ? ` · on ${s.judged} labeled inputs: v${e.active} ${pct(s.activeGoodRate.rate)} (${pct(s.activeGoodRate.interval.low)}–${pct(s.activeGoodRate.interval.high)}) vs v${candidate} ${pct(s.candidateGoodRate.rate)} (${pct(s.candidateGoodRate.interval.low)}–${pct(s.candidateGoodRate.interval.high)})`
              : " · no labeled input judges both yet"}
          </p>
        )}
        {candidate !== null && <ShadowDiffTable trigger={trigger} version={candidate} />}
      </CardContent>
      {move && candidate !== null && <CandidateMoveDialog trigger={trigger} action={move} candidate={candidate} active={e.active} onClose={() => setMove(null)} />}
    </Card>
  );
}
