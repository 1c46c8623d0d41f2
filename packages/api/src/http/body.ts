// Request bodies are read with the size limit enforced while they stream in: a chunked upload
// is cut off at the limit (413), never buffered whole first.
import type { IncomingMessage } from "node:http";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  readonly code = "PAYLOAD_TOO_LARGE";
  constructor(readonly limit: number) {
    super(`request body over ${Math.round(limit / 1024 / 1024)} MB`);
    this.name = "BodyTooLargeError";
  }
}

/** The whole body, or BodyTooLargeError as soon as it passes `limit` bytes (declared or streamed). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        // Stop reading: the rest of the upload is never buffered.
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/**
 * After an early answer (413): read and drop the rest of the upload so the client can finish
 * sending and read the answer (closing at once makes most clients report a broken pipe instead).
 * Nothing is kept; a client still sending after `graceMs` is disconnected.
 */
export function discardRest(req: IncomingMessage, graceMs = 10_000): void {
  const timer = setTimeout(() => req.socket.destroy(), graceMs);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
  req.resume();
}
