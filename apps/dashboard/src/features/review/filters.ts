import {
  createLoader, createParser, createSerializer, parseAsString, parseAsStringLiteral,
  type inferParserType, type LoaderInput,
} from "nuqs/server";

export type LabelFilter = "unlabeled" | "good" | "bad" | "all";

export const LABEL_FILTERS = [
  { value: "unlabeled", label: "Unlabeled" },
  { value: "good", label: "Good" },
  { value: "bad", label: "Bad" },
  { value: "all", label: "All" },
] as const satisfies readonly { value: LabelFilter; label: string }[];

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

const VERSION = /^\d+$/;

/**
 * The URL's search params as nuqs parsers, shared by the server page (prefetch, through a
 * loader) and the Review view (`useQueryStates`). Defaults are left out of the URL, so the
 * plain URL stays plain; a bad value reads as its default.
 */
export const reviewParams = {
  label: parseAsStringLiteral(LABEL_FILTERS.map((f) => f.value)).withDefault("unlabeled"),
  version: createParser<string>({ parse: (v) => (VERSION.test(v) ? String(Number(v)) : null), serialize: (v) => v }).withDefault("all"),
  mode: parseAsStringLiteral(["browse", "queue"] as const).withDefault("browse"),
  inference: parseAsString,
  queue: parseAsString,
};

export type ReviewParams = inferParserType<typeof reviewParams>;

/** The view from the parsed params: a queue only in queue mode. */
export function reviewUrlState(params: ReviewParams): ReviewUrlState {
  return {
    label: params.label,
    version: params.version,
    mode: params.mode,
    inference: params.inference || null,
    queue: params.mode === "queue" ? params.queue || null : null,
  };
}

/** The params of a view: the queue hands out its own items, so a pinned inference is dropped there. */
export function reviewParamsOf(state: ReviewUrlState): ReviewParams {
  return {
    label: state.label,
    version: state.version,
    mode: state.mode,
    inference: state.mode === "browse" ? state.inference || null : null,
    queue: state.mode === "queue" ? state.queue || null : null,
  };
}

const loadReviewParams = createLoader(reviewParams);
const serializeReviewParams = createSerializer(reviewParams);

export function parseReviewState(params: LoaderInput): ReviewUrlState {
  return reviewUrlState(loadReviewParams(params));
}

/** Query string for a state, without the `?`; defaults are left out so the plain URL stays plain. */
export function serializeReviewState(state: ReviewUrlState): string {
  return serializeReviewParams(reviewParamsOf(state)).replace(/^\?/, "");
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
