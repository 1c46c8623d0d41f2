// The OpenAI provider: chat completions and embeddings through the official `openai` SDK.
// `OPENAI_BASE_URL` points it at any OpenAI-compatible server (vLLM, llama.cpp, Ollama, LM
// Studio…); such servers often need no key, so a placeholder is sent when none is set.

import OpenAI, { toFile } from "openai";
import { chatMessages, type ChatMessage } from "../answerer.ts";
import type { FineTuneJob, Provider } from "./types.ts";

export interface OpenAIProviderOptions {
  apiKey?: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

function jobOf(job: OpenAI.FineTuning.Jobs.FineTuningJob): FineTuneJob {
  return { id: job.id, status: job.status, model: job.fine_tuned_model ?? null, error: job.error?.message ?? null };
}

export function openaiProvider(options: OpenAIProviderOptions): Provider {
  const client = new OpenAI({
    apiKey: options.apiKey || "not-needed",
    baseURL: options.baseURL || undefined,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
  });
  const where = options.baseURL || "https://api.openai.com/v1";

  async function* stream(messages: ChatMessage[], model: string, temperature: number): AsyncIterable<string> {
    const chunks = await client.chat.completions.create({ model, messages, temperature, stream: true });
    for await (const chunk of chunks) {
      const text = chunk.choices[0]?.delta?.content;
      if (text) yield text;
    }
  }

  return {
    name: "openai",
    description: `openai (${where})`,
    async embed(texts, model) {
      const out: Float32Array[] = [];
      // Batches keep requests under typical server limits.
      for (let i = 0; i < texts.length; i += 64) {
        const response = await client.embeddings.create({ model, input: texts.slice(i, i + 64) });
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        for (const d of ordered) {
          if (!d.embedding.length) throw new Error(`embedding model ${model} returned an empty vector`);
          out.push(normalise(Float32Array.from(d.embedding)));
        }
      }
      if (out.length !== texts.length) throw new Error(`embedding model ${model} returned ${out.length} vectors for ${texts.length} inputs`);
      return out;
    },
    async answer({ question, sources, fewShot, model, temperature, stream: streaming }) {
      const messages = chatMessages(question, sources, fewShot);
      if (streaming) {
        let answer = "";
        for await (const piece of stream(messages, model, temperature)) answer += piece;
        return { answer: answer.trim(), model };
      }
      const completion = await client.chat.completions.create({ model, messages, temperature });
      return { answer: (completion.choices[0]?.message?.content ?? "").trim(), model: completion.model || model };
    },
    stream,
    fineTune: {
      async start(jsonl, baseModel, suffix) {
        const file = await client.files.create({ file: await toFile(Buffer.from(jsonl, "utf8"), "motion-feedback.jsonl"), purpose: "fine-tune" });
        return jobOf(await client.fineTuning.jobs.create({ model: baseModel, training_file: file.id, suffix }));
      },
      async poll(jobId) {
        return jobOf(await client.fineTuning.jobs.retrieve(jobId));
      },
    },
  };
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}
