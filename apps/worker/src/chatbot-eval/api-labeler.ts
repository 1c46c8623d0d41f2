// The chatbot evaluation's labels, given the way an operator gives them: through the API
// procedure the console's Review page calls (`feedback.label`), as a labeler — an API key made
// by the same code as `motion api-keys create --role labeler`. The example package may not
// import the API (dependencies point one way), so the evaluation takes this labeler from here.
import { createApiKey, createMotionApi } from "@motion/api";
import type { Motion } from "@motion/engine";
import type { Labeler } from "@motion/example-chatbot";

export const API_LABELER = "the API's feedback.label, as a labeler API key";

export async function apiLabeler(motion: Motion): Promise<Labeler> {
  // The secret only signs session cookies, which an API-key caller never gets.
  const api = createMotionApi({ motion, baseURL: "http://localhost", secret: "evaluation-does-not-sign-cookies-0000000000" });
  const { key } = await createApiKey(motion.identity.apiKeys, { name: `evaluation ${Date.now()}`, role: "labeler", createdBy: "evaluation", ownerId: null, expiresAt: null });
  const caller = api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
  return { label: (input) => caller.feedback.label(input) };
}
