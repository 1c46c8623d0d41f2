import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file opens its own databases; files run one after another on this 2-core budget.
    fileParallelism: false,
  },
});
