"use client";
import * as React from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/states";
import { variantFigures, variantPick } from "../variants";
import { verdict } from "../compare";
import { OutcomesCompare } from "./outcomes-compare";
import { OutcomesOverTime } from "./outcomes-over-time";

const VERDICT_TEXT = {
  better: { text: "credibly better", variant: "success" },
  worse: { text: "credibly worse", variant: "destructive" },
  unclear: { text: "no credible difference yet", variant: "secondary" },
  "no-labels": { text: "not enough labels to tell", variant: "outline" },
} as const;

/**
 * Two params variants of the trigger on one version, side by side: each variant's own params
 * hash separates its inferences and labels (variants share the state, so the version is common).
 * The pick is in the URL (`va`, `vb`, `vv`). Shown only when the trigger has variants.
 */
export function VariantsCompare({ trigger, versions, active }: { trigger: string; versions: readonly number[]; active: number | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const variants = useQuery(trpc.experiments.variants.queryOptions({ trigger }));
  const names = React.useMemo(() => (variants.data ? ["default", ...variants.data.variants.map((v) => v.name)] : []), [variants.data]);
  const pick = variantPick(new URLSearchParams(searchParams.toString()), names, active, versions);
  const outcomes = useQuery(trpc.state.outcomes.queryOptions({ trigger, versions: pick ? [pick.version] : [] }, { enabled: !!pick, refetchInterval: 15_000 }));
  if (variants.isPending) return <Skeleton className="h-24" />;
  if (variants.isError) return <ErrorState error={variants.error} retry={() => variants.refetch()} />;
  if (!pick || names.length < 2) return null;
  const set = (key: "va" | "vb" | "vv", value: string) => {
    const p = new URLSearchParams(searchParams.toString());
    p.set("va", pick.a);
    p.set("vb", pick.b);
    p.set("vv", String(pick.version));
    p.set(key, value);
    router.replace(`${pathname}?${p.toString()}`, { scroll: false });
  };
  const hashOf = (name: string) => (name === "default" ? variants.data.default.hash : variants.data.variants.find((v) => v.name === name)?.hash ?? null);
  const version = outcomes.data?.items[0];
  const a = version ? variantFigures(version, hashOf(pick.a)) : undefined;
  const b = version ? variantFigures(version, hashOf(pick.b)) : undefined;
  const call = VERDICT_TEXT[verdict(a && { ...a, version: pick.version }, b && { ...b, version: pick.version })];
  const options = names.map((n) => {
    const w = n === "default" ? variants.data.default.weight : variants.data.variants.find((v) => v.name === n)!.weight;
    return { value: n, label: `${n} (${Math.round(w * 100)}%)` };
  });
  const versionOptions = versions.map((v) => ({ value: String(v), label: `v${v}${v === active ? " (active)" : ""}` }));
  const paramsOf = (name: string) => (name === "default" ? null : variants.data.variants.find((v) => v.name === name)?.overrides ?? null);
  return (
    <Card data-testid="variants-compare">
      <CardHeader>
        <div>
          <CardTitle>Params variants</CardTitle>
          <CardDescription>
            Two params variants on one version: variants share the state and differ in the params infer sees; each variant&apos;s params hash keeps its inferences and labels apart.
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-3">
        <div className="flex flex-wrap items-center gap-2">
          <Select aria-label="Variant A" value={pick.a} onValueChange={(v) => set("va", v)} options={options} className="w-44" />
          <span className="text-muted-foreground text-xs">vs</span>
          <Select aria-label="Variant B" value={pick.b} onValueChange={(v) => set("vb", v)} options={options} className="w-44" />
          <span className="text-muted-foreground text-xs">on</span>
          <Select aria-label="Variants on version" value={String(pick.version)} onValueChange={(v) => set("vv", v)} options={versionOptions} className="w-36" />
          <Badge variant={call.variant} data-testid="variants-verdict">
            good-rate of {pick.b} vs {pick.a}: {call.text}
          </Badge>
        </div>
        <p className="text-muted-foreground text-xs" data-testid="variants-params">
          {[pick.a, pick.b].map((n) => `${n}: ${paramsOf(n) ? JSON.stringify(paramsOf(n)) : "the trigger's own params"}`).join(" · ")}
        </p>
        {outcomes.isError ? <ErrorState error={outcomes.error} /> : <OutcomesCompare from={a} to={b} labels={[pick.a, pick.b]} testId="variants-outcomes" />}
        {hashOf(pick.a) && hashOf(pick.b) && (
          <OutcomesOverTime trigger={trigger} sides={{ kind: "params", a: hashOf(pick.a)!, b: hashOf(pick.b)!, version: pick.version }} labels={[pick.a, pick.b]} testId="variants-over-time" />
        )}
      </CardContent>
    </Card>
  );
}
