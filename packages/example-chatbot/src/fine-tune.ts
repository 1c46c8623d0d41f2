// Optional fine-tuning (OpenAI provider only, off by default: `fineTune: true` in params).
// The feedback fit exports the corrected and approved answers as chat-format JSONL, starts a
// job when there are enough new examples, and polls the job in later feedback fits; when the
// job has succeeded its model id becomes state (`fineTune.model`), and infer answers with it.
// A scheduled route polls a running job too (every 5 minutes by default, see app.ts), so a job
// that finishes while nobody labels goes live without waiting for the next feedback fit.

import { SYSTEM_PROMPT, type FewShot } from "./answerer.ts";
import type { FineTuneJob, Provider } from "./providers/types.ts";

export interface FineTuneState {
  jobId: string | null;
  status: string;
  baseModel: string;
  /** The fine-tuned model id, once a job has succeeded. */
  model: string | null;
  examples: number;
  error: string | null;
  updatedAt: string;
}

/** One chat example per line: system prompt, question, the answer operators approved or wrote. */
export function toJsonl(examples: FewShot[]): string {
  return examples
    .map((e) =>
      JSON.stringify({
        messages: [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: `Question: ${e.question}` },
          { role: "assistant", content: e.answer },
        ],
      }),
    )
    .join("\n") + (examples.length ? "\n" : "");
}

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

export interface FineTuneParams {
  fineTune: boolean;
  fineTuneBaseModel: string;
  fineTuneMinExamples: number;
}

/** A job was started and has not finished: there is something to poll. */
export function pollable(current: FineTuneState | null): current is FineTuneState & { jobId: string } {
  return !!current?.jobId && !FINISHED.has(current.status);
}

/**
 * Polls a running job (the scheduled poll, and the feedback fit's first step): the new state
 * when its status changed, else null. Never starts a job.
 */
export async function pollFineTune(provider: Provider, current: FineTuneState | null, params: Pick<FineTuneParams, "fineTune">, now = new Date()): Promise<FineTuneState | null> {
  if (!params.fineTune || !provider.fineTune || !pollable(current)) return null;
  const job: FineTuneJob = await provider.fineTune.poll(current.jobId);
  if (job.status === current.status) return null;
  return {
    ...current,
    status: job.status,
    // Keep serving the previous fine-tuned model until a new one succeeds.
    model: job.status === "succeeded" && job.model ? job.model : current.model,
    error: job.error,
    updatedAt: now.toISOString(),
  };
}

/**
 * Advances the fine-tuning state machine by one step: polls a running job, or starts a new one
 * when enough examples exist that no job has trained on yet. Returns the new state, or null
 * when there is nothing to change.
 */
export async function stepFineTune(
  provider: Provider,
  current: FineTuneState | null,
  examples: FewShot[],
  params: FineTuneParams,
  now = new Date(),
): Promise<FineTuneState | null> {
  if (!params.fineTune || !provider.fineTune) return null;
  const at = now.toISOString();
  if (pollable(current)) return pollFineTune(provider, current, params, now);
  // A new job only when there are examples no previous job (finished or failed) has seen.
  if (examples.length < params.fineTuneMinExamples || examples.length <= (current?.examples ?? 0)) return null;
  const job = await provider.fineTune.start(toJsonl(examples), params.fineTuneBaseModel, "motion-docs");
  return {
    jobId: job.id,
    status: job.status,
    baseModel: params.fineTuneBaseModel,
    model: current?.model ?? null,
    examples: examples.length,
    error: job.error,
    updatedAt: at,
  };
}
