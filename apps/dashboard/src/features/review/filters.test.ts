import { describe, expect, it } from "vitest";
import { correctionDraft, parseCorrection, parseReviewState, reviewInferenceHref, reviewListInput, reviewParamsOf, reviewQueueHref, reviewUrlState, serializeReviewState } from "./filters";

describe("review filters", () => {
  it("maps the label filter and version to inferences.list input", () => {
    expect(reviewListInput("answer", "unlabeled", "all")).toEqual({ trigger: "answer", limit: 30, labeled: false });
    expect(reviewListInput("answer", "bad", "3")).toEqual({ trigger: "answer", limit: 30, label: "bad", version: 3 });
    expect(reviewListInput("answer", "all", "x")).toEqual({ trigger: "answer", limit: 30 });
  });
  it("parses and serializes the URL state, falling back to defaults on bad values", () => {
    expect(parseReviewState(new URLSearchParams(""))).toEqual({ label: "unlabeled", version: "all", mode: "browse", inference: null, queue: null });
    expect(parseReviewState({ label: "bad", version: "3", mode: "queue", inference: "inf_2", queue: "q1" })).toEqual({ label: "bad", version: "3", mode: "queue", inference: "inf_2", queue: "q1" });
    expect(parseReviewState({ label: "nope", version: "x1", mode: "other" })).toEqual({ label: "unlabeled", version: "all", mode: "browse", inference: null, queue: null });
    expect(parseReviewState({ label: ["good", "bad"], version: "007" })).toEqual({ label: "good", version: "7", mode: "browse", inference: null, queue: null });
    expect(serializeReviewState({ label: "unlabeled", version: "all", mode: "browse", inference: null, queue: null })).toBe("");
    const s = { label: "all", version: "2", mode: "browse", inference: "inf_1", queue: null } as const;
    expect(parseReviewState(new URLSearchParams(serializeReviewState(s)))).toEqual(s);
    // The queue hands out its own items, so a pinned inference is dropped there.
    expect(serializeReviewState({ ...s, mode: "queue" })).toBe("label=all&version=2&mode=queue");
    expect(reviewInferenceHref("an swer", "inf_9")).toBe("/review/an%20swer?inference=inf_9");
    // A named queue lives in the URL in queue mode only.
    expect(reviewQueueHref("answer", "q7")).toBe("/review/answer?mode=queue&queue=q7");
    expect(parseReviewState(new URLSearchParams("queue=q7"))).toMatchObject({ mode: "browse", queue: null });
  });
  it("the view's params (useQueryStates) map to the same state the server page reads", () => {
    const state = parseReviewState(new URLSearchParams("label=bad&version=4&inference=inf_3"));
    expect(reviewUrlState(reviewParamsOf(state))).toEqual(state);
    // Switching to queue mode drops the pinned inference from what the view writes.
    expect(reviewParamsOf({ ...state, mode: "queue" })).toEqual({ label: "bad", version: "4", mode: "queue", inference: null, queue: null });
  });
  it("edits corrections as text and maps them back onto the output's shape", () => {
    const out = { answer: "Paris", sources: ["a"] };
    expect(correctionDraft(out)).toBe("Paris");
    expect(parseCorrection("Lyon", out)).toEqual({ answer: "Lyon", sources: ["a"] });
    expect(parseCorrection("hi", "hello")).toBe("hi");
    expect(parseCorrection('{"a":1}', { a: 2 })).toEqual({ a: 1 });
    expect(parseCorrection("not json", [1])).toBe("not json");
  });
});
