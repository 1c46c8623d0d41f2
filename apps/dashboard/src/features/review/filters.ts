export type LabelFilter = "unlabeled" | "good" | "bad" | "all";

export const LABEL_FILTERS: { value: LabelFilter; label: string }[] = [
  { value: "unlabeled", label: "Unlabeled" },
  { value: "good", label: "Good" },
  { value: "bad", label: "Bad" },
  { value: "all", label: "All" },
];

export type ReviewMode = "browse" | "queue";

/** Review view state that lives in the URL, so links are shareable and a reload keeps it. */
export interface ReviewUrlState {
  label: LabelFilter;
  version: string;
  mode: ReviewMode;
  /** Browse mode opens on this inference (links from other pages to label one inference). */
  inference: string | null;
  /** Queue mode works this named review queue (else the trigger's unlabeled inferences). */
  queue: string | null;
}

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

export function parseReviewState(params: Params): ReviewUrlState {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : ([params[k]].flat()[0] ?? null)) ?? null;
  const label = get("label");
  const version = get("version");
  return {
    label: LABEL_FILTERS.some((f) => f.value === label) ? (label as LabelFilter) : "unlabeled",
    version: version && /^\d+$/.test(version) ? String(Number(version)) : "all",
    mode: get("mode") === "queue" ? "queue" : "browse",
    inference: get("inference") || null,
    queue: get("mode") === "queue" ? get("queue") || null : null,
  };
}

/** Query string for a state; defaults are left out so the plain URL stays plain. */
export function serializeReviewState(state: ReviewUrlState): string {
  const p = new URLSearchParams();
  if (state.label !== "unlabeled") p.set("label", state.label);
  if (state.version !== "all") p.set("version", state.version);
  if (state.mode !== "browse") p.set("mode", state.mode);
  if (state.inference && state.mode === "browse") p.set("inference", state.inference);
  if (state.queue && state.mode === "queue") p.set("queue", state.queue);
  return p.toString();
}

/** The Review page link that opens one inference ready to label. */
export function reviewInferenceHref(trigger: string, inferenceId: string): string {
  return `/review/${encodeURIComponent(trigger)}?${serializeReviewState({ label: "unlabeled", version: "all", mode: "browse", inference: inferenceId, queue: null })}`;
}

/** The Review page link that works a named review queue. */
export function reviewQueueHref(trigger: string, queueId: string): string {
  return `/review/${encodeURIComponent(trigger)}?${serializeReviewState({ label: "unlabeled", version: "all", mode: "queue", inference: null, queue: queueId })}`;
}

/** `inferences.list` input for the review list; shared by the server prefetch and the client. */
export function reviewListInput(trigger: string, label: LabelFilter, version: string) {
  return {
    trigger,
    limit: 30,
    ...(label === "unlabeled" ? { labeled: false } : label === "all" ? {} : { label }),
    ...(version !== "all" && Number.isInteger(Number(version)) ? { version: Number(version) } : {}),
  };
}

/** Text to edit a correction in: strings as-is, anything else as pretty JSON. */
export function correctionDraft(output: unknown): string {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && typeof (output as { answer?: unknown }).answer === "string") return (output as { answer: string }).answer;
  return JSON.stringify(output, null, 2) ?? "";
}

/**
 * Back to a value: when the output was an object with an `answer`, the correction replaces
 * the answer; JSON text parses; anything else stays a string.
 */
export function parseCorrection(text: string, output: unknown): unknown {
  if (output && typeof output === "object" && !Array.isArray(output) && typeof (output as { answer?: unknown }).answer === "string") {
    return { ...(output as Record<string, unknown>), answer: text };
  }
  if (typeof output === "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
