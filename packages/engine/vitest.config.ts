import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file opens its own databases; files run one after another on this 2-core budget.
    fileParallelism: false,
    // One module graph for all files: importing the engine through vite for each of ~40 files
    // cost ~45 s per run. Files share no module state they depend on (each opens its own Motion).
    isolate: false,
  },
});
