// Chooses the provider from the environment, once, when the app module loads (in the main
// process and in every fit worker thread, which inherit the environment):
//   MOTION_CHATBOT_PROVIDER=local|openai forces one;
//   otherwise OPENAI_API_KEY or OPENAI_BASE_URL selects OpenAI, and nothing selects local.

import { localProvider } from "./local.ts";
import { openaiProvider } from "./openai.ts";
import type { Provider } from "./types.ts";

export type { Provider, AnswerRequest, AnswerResult, FineTuneJob } from "./types.ts";
export { localProvider } from "./local.ts";
export { openaiProvider } from "./openai.ts";

export function providerFromEnv(env: NodeJS.ProcessEnv = process.env): Provider {
  const forced = env.MOTION_CHATBOT_PROVIDER?.trim().toLowerCase();
  if (forced && forced !== "local" && forced !== "openai") {
    throw new Error(`MOTION_CHATBOT_PROVIDER must be "local" or "openai", not "${forced}"`);
  }
  const wantsOpenAI = forced ? forced === "openai" : Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  if (!wantsOpenAI) return localProvider();
  return openaiProvider({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
}
