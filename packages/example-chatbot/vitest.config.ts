import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file opens its own SQLite databases and fit threads; one file at a time on small machines.
    fileParallelism: false,
    // Deterministic by default: the offline provider, whatever the developer's shell exports.
    // The OpenAI test file switches to its own local server before importing the app.
    env: { MOTION_CHATBOT_PROVIDER: "local", OPENAI_API_KEY: "", OPENAI_BASE_URL: "" },
  },
});
