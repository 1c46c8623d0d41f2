"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/** After a decision every drift view may change (statuses, alerts, events, held rows): refetch them all. */
export function useInvalidateDrift(): () => Promise<void> {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: trpc.drift.pathKey() }), qc.invalidateQueries({ queryKey: trpc.triggers.pathKey() })]);
  };
}
