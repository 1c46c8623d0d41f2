// `npm run generate -w @motion/db`: compose one schema per provider and run `prisma generate`
// offline, producing packages/db/src/generated/<provider>/client.ts.
//
// Offline: PRISMA_SCHEMA_ENGINE_BINARY=/bin/true keeps the CLI from downloading its native
// schema engine (generate never needs it); the other variables silence update checks.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PROVIDERS, dbPackageDir, isProvider, writeComposedSchema, type Provider } from "./compose-schema.ts";

const require = createRequire(import.meta.url);

function prismaCli(): { cli: string; version: string } {
  const pkgJson = require.resolve("prisma/package.json", { paths: [dbPackageDir] });
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string };
  return { cli: path.join(path.dirname(pkgJson), "build", "index.js"), version };
}

export function generatedClientPath(provider: Provider): string {
  return path.join(dbPackageDir, "src", "generated", provider, "client.ts");
}

/** The Kysely table types (prisma/postgresql/schema.prisma's second generator; typed-query.ts). */
export const generatedTablesPath = (): string => path.join(dbPackageDir, "src", "generated", "kysely", "tables.ts");

/** Everything `provider`'s schema generates. */
const outputsOf = (provider: Provider): string[] => (provider === "postgresql" ? [generatedClientPath(provider), generatedTablesPath()] : [generatedClientPath(provider)]);

export async function generate(providers: readonly Provider[] = PROVIDERS, force = false): Promise<void> {
  const { cli, version } = prismaCli();
  for (const provider of providers) {
    const { path: schemaPath, changed } = await writeComposedSchema(provider, `prisma ${version}`);
    if (!force && !changed && outputsOf(provider).every((file) => existsSync(file))) {
      console.log(`[db] ${provider}: schema unchanged, client up to date`);
      continue;
    }
    const started = Date.now();
    const result = spawnSync(process.execPath, [cli, "generate", "--schema", schemaPath], {
      cwd: dbPackageDir,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        PRISMA_DISABLE_WARNINGS: "1",
        CHECKPOINT_DISABLE: "1",
        PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
      },
    });
    if (result.status !== 0 || !outputsOf(provider).every((file) => existsSync(file))) {
      // Drop the composed file so the next run regenerates instead of trusting the cache.
      await rm(schemaPath, { force: true });
      throw new Error(`prisma generate failed for ${provider} (exit ${result.status ?? result.signal})`);
    }
    console.log(`[db] ${provider}: generated in ${Date.now() - started} ms`);
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const named = args.filter((a) => !a.startsWith("--"));
  const bad = named.filter((a) => !isProvider(a));
  if (bad.length) {
    console.error(`unknown provider(s): ${bad.join(", ")} (expected ${PROVIDERS.join(", ")})`);
    process.exit(2);
  }
  generate(named.length ? (named as Provider[]) : PROVIDERS, force).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
