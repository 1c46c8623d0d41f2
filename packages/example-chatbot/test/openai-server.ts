// A small OpenAI-compatible server for tests: chat completions (plain and SSE streaming),
// embeddings (base64 float32, as the SDK requests them), file upload and fine-tuning jobs.
// It records every request so tests can check what the app sent.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
  raw: string;
}

export interface FakeOpenAI {
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const FAKE_DIMS = 64;

/** A deterministic bag-of-words embedding, unrelated to the app's own hashing. */
export function fakeEmbedding(text: string): Float32Array {
  const v = new Float32Array(FAKE_DIMS);
  for (const word of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    let h = 7;
    for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) % 100_003;
    v[h % FAKE_DIMS] = v[h % FAKE_DIMS]! + 1;
  }
  return v;
}

function answerFor(model: string, messages: { role: string; content: string }[]): string {
  const last = messages.at(-1)?.content ?? "";
  const cited = /\((docs\/[^)]+)\)/.exec(last)?.[1] ?? "nothing";
  return `Answer from ${model}: see [1] (${cited}).`;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  let job: { id: string; model: string; training_file: string; polls: number } | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "").replace(/^\/v1/, "").split("?")[0]!;
      let body: any = null;
      if ((req.headers["content-type"] ?? "").includes("application/json") && raw) body = JSON.parse(raw);
      requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body, raw });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const created = Math.floor(Date.now() / 1000);

      if (req.method === "POST" && path === "/embeddings") {
        const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
        const data = inputs.map((text, index) => {
          const v = fakeEmbedding(text);
          const embedding = body.encoding_format === "base64" ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v);
          return { object: "embedding", index, embedding };
        });
        return json(200, { object: "list", model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } });
      }

      if (req.method === "POST" && path === "/chat/completions") {
        const text = answerFor(body.model, body.messages);
        const id = `chatcmpl-${requests.length}`;
        if (!body.stream) {
          return json(200, {
            id, object: "chat.completion", created, model: body.model,
            choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          });
        }
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
        const send = (delta: object, finish: string | null = null) =>
          res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
        send({ role: "assistant", content: "" });
        for (const piece of text.match(/\S+\s*/g) ?? []) send({ content: piece });
        send({}, "stop");
        res.write("data: [DONE]\n\n");
        return res.end();
      }

      if (req.method === "POST" && path === "/files") {
        return json(200, { id: "file-motion-1", object: "file", bytes: raw.length, created_at: created, filename: "motion-feedback.jsonl", purpose: "fine-tune", status: "processed" });
      }

      if (req.method === "POST" && path === "/fine_tuning/jobs") {
        job = { id: "ftjob-motion-1", model: body.model, training_file: body.training_file, polls: 0 };
        return json(200, { id: job.id, object: "fine_tuning.job", model: job.model, training_file: job.training_file, status: "running", fine_tuned_model: null, created_at: created, error: null });
      }

      if (req.method === "GET" && job && path === `/fine_tuning/jobs/${job.id}`) {
        job.polls++;
        return json(200, {
          id: job.id, object: "fine_tuning.job", model: job.model, training_file: job.training_file, status: "succeeded",
          fine_tuned_model: `ft:${job.model}:motion-docs:abc123`, created_at: created, error: null,
        });
      }

      json(404, { error: { message: `no route ${req.method} ${path}`, type: "invalid_request_error" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
