// The embedded provider, used when no OpenAI key or base URL is configured: retrieval uses the
// hashed lexical vectors of the index and the answer is extracted from the retrieved chunks.
// Deterministic and offline; it never invents text that is not in the documentation.

import { extractiveAnswer } from "../answerer.ts";
import type { Provider } from "./types.ts";

export const LOCAL_MODEL = "extractive-v1";

export function localProvider(): Provider {
  return {
    name: "local",
    description: "local (embedded: hashed lexical retrieval + extractive answers, offline)",
    async answer({ question, sources }) {
      return { answer: extractiveAnswer(question, sources), model: LOCAL_MODEL };
    },
  };
}
