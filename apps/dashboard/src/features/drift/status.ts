/** Drift statuses in words, their badge colours, and which operator decisions each allows. */

export type DriftStatus = "ok" | "drift" | "held" | "released" | "dropped" | "open" | "insufficient-history";
export type Decision = "release" | "drop" | "markValid";
type Variant = "default" | "secondary" | "outline" | "success" | "warning" | "destructive";

const STATUS: Record<DriftStatus, { label: string; variant: Variant; help: string }> = {
  ok: { label: "ok", variant: "success", help: "Judged, and like its history." },
  drift: { label: "drift", variant: "destructive", help: "Flagged: some columns moved far from their history. Nothing is held." },
  held: { label: "held", variant: "destructive", help: "Flagged, and a route with onDrift: \"hold\" waits for an operator before fitting its rows." },
  released: { label: "released", variant: "default", help: "An operator released it: its rows are fitted as usual." },
  dropped: { label: "dropped", variant: "secondary", help: "An operator dropped it from fitting: its rows are kept, never fitted." },
  open: { label: "open", variant: "outline", help: "Still receiving rows; judged when it closes." },
  "insufficient-history": { label: "insufficient history", variant: "outline", help: "Fewer earlier valid partitions than the minimum history: not compared yet." },
};

export function statusInfo(status: string): { label: string; variant: Variant; help: string } {
  return STATUS[status as DriftStatus] ?? { label: status, variant: "outline", help: "" };
}

/** Flagged and not yet decided: what the Overview alerts on. */
export function isOpenFlag(status: string): boolean {
  return status === "drift" || status === "held";
}

export const DECISIONS: Record<Decision, { label: string; past: string; effect: string }> = {
  release: { label: "Release", past: "released", effect: "Its rows will be fitted as usual; a route with onDrift: \"refit\" refits over the recent valid partitions." },
  drop: { label: "Drop", past: "dropped", effect: "Its rows are kept but never fitted. The decision is recorded." },
  markValid: { label: "Mark valid", past: "marked valid", effect: "The partition counts as history for later ones: the change is real, not broken data." },
};

/**
 * Which decisions make sense for a partition. Release and drop decide a flag (drift, held);
 * mark valid also applies after a release or drop, as long as the partition is not history yet.
 */
export function allowedDecisions(status: string, valid: boolean): Decision[] {
  if (status === "drift" || status === "held") return valid ? ["release", "drop"] : ["release", "drop", "markValid"];
  if ((status === "released" || status === "dropped") && !valid) return ["markValid"];
  return [];
}

const ACTIONS: Record<string, string> = { flag: "flagged", release: "released", drop: "dropped", "mark-valid": "marked valid", refit: "refit" };

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}
