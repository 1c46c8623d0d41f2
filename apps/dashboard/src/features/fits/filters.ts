export const FIT_STATUSES = ["queued", "running", "succeeded", "failed", "superseded", "skipped"] as const;
export type FitStatus = (typeof FIT_STATUSES)[number];

export interface FitsFilter {
  trigger: string | null;
  status: FitStatus | "dead" | null;
}

export function parseFitsFilter(params: Record<string, string | string[] | undefined> | URLSearchParams): FitsFilter {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : ([params[k]].flat()[0] ?? null)) ?? null;
  const status = get("status");
  return {
    trigger: get("trigger") || null,
    status: status === "dead" || (FIT_STATUSES as readonly string[]).includes(status ?? "") ? (status as FitsFilter["status"]) : null,
  };
}

export function fitsListInput(f: FitsFilter) {
  return {
    limit: 50,
    ...(f.trigger ? { trigger: f.trigger } : {}),
    ...(f.status === "dead" ? { deadLettered: true } : f.status ? { status: f.status } : {}),
  };
}
