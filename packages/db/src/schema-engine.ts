// Prisma's WASM schema engine (`@prisma/schema-engine-wasm`), loaded by hand for Node.
//
// The package is built for bundlers (`import * as wasm from "./schema_engine_bg.wasm"`), which
// Node cannot import. We instantiate `schema_engine_bg.wasm` ourselves with the JS glue module
// as its import object, hand the exports to `__wbg_set_wasm`, and call `__wbindgen_start`.
// The native schema engine the Prisma CLI downloads is unreachable here; this one is in npm.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

export type { SchemaEngine } from "@prisma/schema-engine-wasm";
export type { MigrationList, DiffParams, ApplyMigrationsOutput } from "@prisma/schema-engine-wasm";

let loaded: Promise<void> | undefined;

/** The bits of the global `WebAssembly` we use (the repo's `lib` has no DOM/WebAssembly types). */
interface WebAssemblyApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const webAssembly = (): WebAssemblyApi => (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Instantiates the WASM module once per process (module-level cache). */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's `exports` map hides the .wasm file; resolve the glue and take its sibling.
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const { instance } = await webAssembly().instantiate(bytes, { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

export interface OpenSchemaEngineOptions {
  /** Schema files the engine is constructed with (optional; `diff` takes its own). */
  datamodels?: [path: string, content: string][];
  /** Receives the engine's log lines (default: dropped unless DEBUG_SCHEMA_ENGINE is set). */
  log?: (line: string) => void;
  /** Receives the bound factory's error registry (used by `withSchemaEngine`). */
  onRegistry?: (registry: ErrorRegistry) => void;
}

/**
 * Creates a schema engine bound to a driver adapter factory. Call `engine.free()` when done
 * (see `withSchemaEngine`). Engine methods must be called on the engine object itself
 * (`engine.diff(...)`), never detached, or wasm-bindgen loses `this`.
 */
export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: OpenSchemaEngineOptions = {},
): Promise<SchemaEngine> {
  await loadWasm();
  const log =
    options.log ??
    (process.env.DEBUG_SCHEMA_ENGINE ? (line: string) => console.error(`[schema-engine] ${line}`) : () => {});
  // The bound factory turns adapter exceptions into Result values the engine understands.
  const bound = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  options.onRegistry?.(bound.errorRegistry);
  try {
    return await glue.SchemaEngine.new({ datamodels: options.datamodels }, log, bound);
  } catch (error) {
    throw toError(error, bound.errorRegistry);
  }
}

/** Runs `fn` with a fresh engine and frees it afterwards; engine errors become Errors. */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
  options: OpenSchemaEngineOptions = {},
): Promise<T> {
  const registry = { current: undefined as ErrorRegistry | undefined };
  // `engine.free()` does not close the connections the engine opened: a SQLite file would stay
  // locked ("database is locked" for the next opener). Track and dispose them ourselves.
  const connections: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => track(await adapterFactory.connect()),
    connectToShadowDb: async () => track(await adapterFactory.connectToShadowDb()),
  };
  function track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    connections.push(adapter);
    return adapter;
  }
  let engine: SchemaEngine | undefined;
  try {
    engine = await openSchemaEngine(tracked, { ...options, onRegistry: (r) => (registry.current = r) });
    return await fn(engine);
  } catch (error) {
    throw toError(error, registry.current);
  } finally {
    engine?.free();
    await Promise.allSettled(connections.map((c) => c.dispose()));
  }
}

/**
 * Engine errors are Errors or plain objects with `code`/`message`. An adapter exception comes
 * back as `External error id#N`, where N indexes the bound factory's error registry: swap the
 * original exception back in so callers see e.g. the pg connection error.
 */
function toError(error: unknown, registry?: ErrorRegistry): Error {
  const message = error instanceof Error ? error.message : "";
  const external = /External error id#(\d+)/.exec(message);
  if (external && registry) {
    const original = registry.consumeError(Number(external[1]))?.error;
    if (original !== undefined) return toError(original);
  }
  if (error instanceof Error) return error;
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; code?: unknown };
    const message = typeof e.message === "string" ? e.message : JSON.stringify(error);
    return Object.assign(new Error(e.code ? `${String(e.code)}: ${message}` : message), { cause: error });
  }
  return new Error(String(error));
}
