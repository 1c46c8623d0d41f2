"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { groupAliasMoves } from "../alias-moves";

/** Alias moves, each fit's pair shown as one; `?moves=operator` keeps only people's and keys' moves. */
export function AliasHistory({ trigger }: { trigger: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const operatorOnly = searchParams.get("moves") === "operator";
  const history = useQuery(
    trpc.state.aliasHistory.queryOptions({ trigger, ...(operatorOnly ? { moves: "operator" as const } : {}) }, { refetchInterval: 10_000, placeholderData: (p) => p }),
  );
  const moves = React.useMemo(() => groupAliasMoves(history.data?.items ?? []), [history.data]);
  const setOperatorOnly = (on: boolean) => {
    const p = new URLSearchParams(searchParams.toString());
    if (on) p.set("moves", "operator");
    else p.delete("moves");
    const s = p.toString();
    router.replace(`${pathname}${s ? `?${s}` : ""}`, { scroll: false });
  };
  return (
    <Card>
      <CardHeader>
        <div>
          <CardTitle className="flex items-center gap-2"><History className="size-4" /> Alias history</CardTitle>
          <CardDescription>Every move of an alias: who, when and why. Append-only; a fit’s move of latest and active is one row.</CardDescription>
        </div>
        <div role="group" aria-label="Which moves" className="flex rounded-md border p-0.5">
          <Button size="sm" variant={operatorOnly ? "ghost" : "secondary"} className="h-7" aria-pressed={!operatorOnly} onClick={() => setOperatorOnly(false)}>All moves</Button>
          <Button size="sm" variant={operatorOnly ? "secondary" : "ghost"} className="h-7" aria-pressed={operatorOnly} onClick={() => setOperatorOnly(true)} data-testid="operator-moves">Operator moves</Button>
        </div>
      </CardHeader>
      <Table data-testid="alias-history">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Alias</TableHead>
            <TableHead>Move</TableHead>
            <TableHead>Who</TableHead>
            <TableHead>Why</TableHead>
            <TableHead>When</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {history.isPending ? (
            <TableRow><TableCell colSpan={5}><Skeleton className="h-5" /></TableCell></TableRow>
          ) : history.isError ? (
            <TableMessage colSpan={5}><ErrorState error={history.error} className="py-2" /></TableMessage>
          ) : moves.length === 0 ? (
            <TableMessage colSpan={5}><EmptyState title={operatorOnly ? "No operator has moved an alias" : "No alias moves"} className="py-2" /></TableMessage>
          ) : (
            moves.map((m) => (
              <TableRow key={m.id} data-testid="alias-move" data-automatic={m.automatic} data-migration={m.actor.startsWith("migration:") || undefined}>
                <TableCell className="space-x-1 whitespace-nowrap">
                  {m.aliases.map((a) => <Badge key={a} variant={a === "active" ? "default" : "outline"}>{a}</Badge>)}
                </TableCell>
                <TableCell className="whitespace-nowrap tabular-nums">{m.fromVersion === null ? "—" : `v${m.fromVersion}`} → v{m.toVersion}</TableCell>
                <TableCell className="text-xs">
                  {m.fitRunId ? (
                    <Link href={`/fits/${m.fitRunId}`} className="font-mono text-primary hover:underline">fit {m.fitRunId.slice(-6)}</Link>
                  ) : m.actor.startsWith("migration:") ? (
                    <Badge variant="secondary" className="font-mono" title={`Opening Motion migrated the state to schema ${m.actor.slice("migration:".length)}`}>{m.actor}</Badge>
                  ) : m.automatic ? (
                    <span className="text-muted-foreground">{m.actor}</span>
                  ) : (
                    m.actor
                  )}
                </TableCell>
                <TableCell className="max-w-md truncate text-xs text-muted-foreground" title={m.reason ?? ""}>{m.reason ?? (m.automatic ? "new version" : "—")}</TableCell>
                <TableCell><RelativeTime date={m.createdAt} className="text-xs whitespace-nowrap text-muted-foreground" /></TableCell>
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </Card>
  );
}
