// Composes one Prisma schema per provider: prisma/<provider>/schema.prisma (generator +
// datasource) followed by prisma/models.prisma (the shared models). The models live only in
// prisma/models.prisma; the composed files are build output under packages/db/.schema/.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROVIDERS = ["sqlite", "postgresql"] as const;
export type Provider = (typeof PROVIDERS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));
export const dbPackageDir = path.resolve(here, "..");
export const repoRoot = path.resolve(dbPackageDir, "../..");
export const prismaDir = path.join(repoRoot, "prisma");

export const headerPath = (provider: Provider): string => path.join(prismaDir, provider, "schema.prisma");
export const modelsPath = (): string => path.join(prismaDir, "models.prisma");
export const composedSchemaPath = (provider: Provider): string =>
  path.join(dbPackageDir, ".schema", provider, "schema.prisma");
export const migrationsDir = (provider: Provider): string => path.join(prismaDir, "migrations", provider);

/**
 * Returns the composed schema text for `provider`, with the generator's relative `output`
 * rewritten so it still points at the same folder when read from `targetPath`.
 */
export async function composeSchema(provider: Provider, targetPath = composedSchemaPath(provider)): Promise<string> {
  const header = await readFile(headerPath(provider), "utf8");
  const models = await readFile(modelsPath(), "utf8");
  const fromDir = path.dirname(headerPath(provider));
  const toDir = path.dirname(targetPath);
  const rewritten = header.replace(/^(\s*output\s*=\s*)"([^"]+)"/gm, (_m, prefix: string, out: string) => {
    if (path.isAbsolute(out)) return `${prefix}"${out}"`;
    const rel = path.relative(toDir, path.resolve(fromDir, out)).split(path.sep).join("/");
    return `${prefix}"${rel}"`;
  });
  return [
    `// Composed by packages/db/scripts/compose-schema.ts from prisma/${provider}/schema.prisma`,
    `// and prisma/models.prisma. Do not edit: edit those files instead.`,
    "",
    rewritten.trimEnd(),
    "",
    models.trimEnd(),
    "",
  ].join("\n");
}

/** Writes the composed schema; returns its path and whether the content changed. */
export async function writeComposedSchema(
  provider: Provider,
  stamp = "",
): Promise<{ path: string; text: string; changed: boolean }> {
  const target = composedSchemaPath(provider);
  // `stamp` (e.g. the Prisma version) is written as a comment so a CLI upgrade also counts
  // as a change for the "nothing changed" shortcut in generate.ts.
  const text = (stamp ? `// ${stamp}\n` : "") + (await composeSchema(provider, target));
  const previous = await readFile(target, "utf8").catch(() => null);
  if (previous !== text) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return { path: target, text, changed: previous !== text };
}

/** The provider token Prisma uses in a schema's datasource block. */
export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}
