// The embedded provider, used when no OpenAI key or base URL is configured: retrieval is BM25
// plus hashed trigram vectors, and the answer is extracted from the retrieved chunks.
// Deterministic and offline; it never writes text that is not in the documents.

import { extractiveAnswer } from "../answerer.ts";
import type { Provider } from "./types.ts";

export const LOCAL_MODEL = "extractive-v2";

export function localProvider(): Provider {
  return {
    name: "local",
    description: "local (embedded: BM25 + hashed trigram vectors, extractive answers, offline)",
    async answer({ question, sources, weight }) {
      return { answer: extractiveAnswer(question, sources, { weight }), model: LOCAL_MODEL };
    },
  };
}
