"use client";
import * as React from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/** After an admin change, refetch the changed list and the audit log that records it. */
export function useInvalidateAdmin(area: "users" | "apiKeys") {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return React.useCallback(
    () => Promise.all([qc.invalidateQueries({ queryKey: trpc[area].pathKey() }), qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })]),
    [qc, trpc, area],
  );
}
