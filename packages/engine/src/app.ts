import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { correctionJsonSchema, optionsFromFields } from "./correction.ts";
import { feedback, type Relation } from "./relation.ts";
import type { ResolvedRoute, Trigger } from "./trigger.ts";

export interface AppDefinition {
  name: string;
  relations: Relation<any>[];
  triggers: Trigger<any>[];
  /**
   * The module that exports this app (`import.meta.url`). Fits run in worker threads (and in
   * `motion worker` processes), which load the app from here.
   */
  module?: string;
}

export interface App extends AppDefinition {
  readonly kind: "app";
  relation(name: string): Relation<any> | undefined;
  trigger(name: string): Trigger<any> | undefined;
  /** Routes bound to a relation, across all triggers. */
  routesOf(relation: string): { trigger: Trigger<any>; route: ResolvedRoute }[];
}

export function defineApp(definition: AppDefinition): App {
  const relations = new Map<string, Relation<any>>();
  for (const r of [...definition.relations, feedback]) {
    const existing = relations.get(r.name);
    if (existing && existing !== r) throw new TypeError(`app ${definition.name} has two relations named ${r.name}`);
    relations.set(r.name, r);
  }
  const triggers = new Map<string, Trigger<any>>();
  const byRelation = new Map<string, { trigger: Trigger<any>; route: ResolvedRoute }[]>();
  for (const t of definition.triggers) {
    if (triggers.has(t.name)) throw new TypeError(`app ${definition.name} has two triggers named ${t.name}`);
    triggers.set(t.name, t);
    // A correction field picked from a relation must name one of this app's relations.
    if (t.correction) {
      for (const { path: at, optionsFrom: from } of optionsFromFields(correctionJsonSchema(t.correction))) {
        if (!relations.has(from.relation)) {
          throw new TypeError(`trigger ${t.name}: correction field ${at.join(".") || "(root)"} takes options from relation ${from.relation}, which is not in app ${definition.name}`);
        }
      }
    }
    for (const route of t.routes) {
      if (relations.get(route.relation.name) !== route.relation) {
        throw new TypeError(`trigger ${t.name} routes on relation ${route.relation.name}, which is not in app ${definition.name}`);
      }
      const list = byRelation.get(route.relation.name) ?? [];
      list.push({ trigger: t, route });
      byRelation.set(route.relation.name, list);
    }
  }
  return {
    ...definition,
    relations: [...relations.values()],
    kind: "app",
    relation: (name) => relations.get(name),
    trigger: (name) => triggers.get(name),
    routesOf: (name) => byRelation.get(name) ?? [],
  };
}

export function isApp(value: unknown): value is App {
  return typeof value === "object" && value !== null && (value as App).kind === "app";
}

/** Finds the app named `name` among a module's exports. */
export function findApp(mod: Record<string, unknown>, name: string): App {
  for (const value of Object.values(mod)) {
    if (isApp(value) && value.name === name) return value;
  }
  throw new Error(`The app module exports no app named ${name}`);
}

/**
 * Imports the app exported by a module: a package specifier, a file URL, or a path relative
 * to `cwd`. The default export wins, else the first exported app.
 */
export async function importApp(spec: string, cwd = process.cwd()): Promise<App> {
  // A path (relative to cwd, with or without "./") if such a file exists, else a package.
  const local = path.resolve(cwd, spec);
  const target = spec.startsWith(".") || path.isAbsolute(spec) || existsSync(local) ? pathToFileURL(local).href : spec;
  const mod = (await import(target)) as Record<string, unknown>;
  const app = [mod.default, ...Object.values(mod)].find(isApp);
  if (!app) throw new Error(`${spec} exports no Motion app (defineApp(...))`);
  return app;
}
