// One lint config for the monorepo. The `no-restricted-imports` blocks below enforce the
// dependency direction: apps -> api -> engine -> db. A package may never import one above it.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layer = (files, forbidden) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: forbidden.map((name) => ({
          group: [name, `${name}/*`],
          message: "Dependencies point one way: apps -> api -> engine -> db.",
        })),
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/src/generated/**",
      "**/dist/**",
      "**/.turbo/**",
      "**/next-env.d.ts",
      "**/test-results/**",
      "**/playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  layer(["packages/db/**"], ["@motion/engine", "@motion/api", "@motion/dashboard", "@motion/worker", "@motion/example-chatbot"]),
  layer(["packages/engine/**"], ["@motion/api", "@motion/dashboard", "@motion/worker", "@motion/example-chatbot", "next", "react", "@trpc/server"]),
  layer(["packages/api/**"], ["@motion/dashboard", "@motion/worker", "next", "next/*", "react"]),
  // The API reads and writes through the engine; its tests may still look at tables directly.
  layer(["packages/api/src/**"], ["@motion/dashboard", "@motion/worker", "next", "next/*", "react", "@motion/db"]),
  layer(["packages/example-chatbot/**"], ["@motion/db", "@motion/api", "@motion/dashboard", "@motion/worker"]),
  // Apps only mount packages; nothing imports an app.
  layer(["apps/dashboard/**"], ["@motion/worker"]),
  layer(["apps/worker/**"], ["@motion/dashboard"]),
);
