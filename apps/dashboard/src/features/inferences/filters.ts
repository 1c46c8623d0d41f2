// The Inferences page's view state lives in the URL (shareable links): parsed here, turned into
// the `inferences.list` input, and written back. Pure, unit-tested.

export const LABEL_CHOICES = ["any", "unlabeled", "labeled", "good", "bad"] as const;
export type LabelChoice = (typeof LABEL_CHOICES)[number];
export const OUTCOME_CHOICES = ["any", "errors", "ok"] as const;
export type OutcomeChoice = (typeof OUTCOME_CHOICES)[number];

export interface InferenceFilter {
  text: string | null;
  trigger: string | null;
  version: number | null;
  label: LabelChoice;
  labeledBy: string | null;
  minMs: number | null;
  maxMs: number | null;
  outcome: OutcomeChoice;
  /** The inference open in the side panel. */
  open: string | null;
}

export const EMPTY_FILTER: InferenceFilter = { text: null, trigger: null, version: null, label: "any", labeledBy: null, minMs: null, maxMs: null, outcome: "any", open: null };

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function reader(params: Params) {
  return (k: string): string | null => {
    const v = params instanceof URLSearchParams ? params.get(k) : [params[k]].flat()[0];
    return v === undefined || v === null || v.trim() === "" ? null : v.trim();
  };
}

function nonNegative(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function parseInferenceFilter(params: Params): InferenceFilter {
  const get = reader(params);
  const version = nonNegative(get("v"));
  const label = get("label");
  const outcome = get("outcome");
  return {
    text: get("q")?.slice(0, 500) ?? null,
    trigger: get("trigger"),
    version: version !== null && Number.isInteger(version) ? version : null,
    label: (LABEL_CHOICES as readonly string[]).includes(label ?? "") ? (label as LabelChoice) : "any",
    labeledBy: get("by"),
    minMs: nonNegative(get("minMs")),
    maxMs: nonNegative(get("maxMs")),
    outcome: (OUTCOME_CHOICES as readonly string[]).includes(outcome ?? "") ? (outcome as OutcomeChoice) : "any",
    open: get("open"),
  };
}

/** Back to a query string (empty values left out), `?…` or "". */
export function serializeInferenceFilter(f: InferenceFilter): string {
  const p = new URLSearchParams();
  if (f.text) p.set("q", f.text);
  if (f.trigger) p.set("trigger", f.trigger);
  if (f.version !== null) p.set("v", String(f.version));
  if (f.label !== "any") p.set("label", f.label);
  if (f.labeledBy) p.set("by", f.labeledBy);
  if (f.minMs !== null) p.set("minMs", String(f.minMs));
  if (f.maxMs !== null) p.set("maxMs", String(f.maxMs));
  if (f.outcome !== "any") p.set("outcome", f.outcome);
  if (f.open) p.set("open", f.open);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The `inferences.list` input for a filter (the panel's `open` is not part of it). */
export function inferenceListInput(f: InferenceFilter) {
  const [min, max] = f.minMs !== null && f.maxMs !== null && f.minMs > f.maxMs ? [f.maxMs, f.minMs] : [f.minMs, f.maxMs];
  return {
    limit: 50,
    ...(f.text ? { text: f.text } : {}),
    ...(f.trigger ? { trigger: f.trigger } : {}),
    ...(f.version !== null ? { version: f.version } : {}),
    ...(f.label === "unlabeled" ? { labeled: false } : f.label === "labeled" ? { labeled: true } : f.label === "good" || f.label === "bad" ? { label: f.label } : {}),
    ...(f.labeledBy ? { labeledBy: f.labeledBy } : {}),
    ...(min !== null ? { minLatencyMs: min } : {}),
    ...(max !== null ? { maxLatencyMs: max } : {}),
    ...(f.outcome === "errors" ? { errors: true } : f.outcome === "ok" ? { errors: false } : {}),
  };
}

/** Whether any filter (not the open panel) narrows the list. */
export function isFiltered(f: InferenceFilter): boolean {
  return serializeInferenceFilter({ ...f, open: null }) !== "";
}
