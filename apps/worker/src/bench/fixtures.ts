// Benchmark apps: flights from vega-datasets (a real public data set), a no-op infer, and a
// CPU-bound fit. Fits run in worker threads, which load this module by URL.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { defineApp, relation, trigger } from "@motion/engine";

const require = createRequire(import.meta.url);

export interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

export function loadFlights(): Flight[] {
  // The package exports only its JS entry; its data files sit beside it.
  const root = path.dirname(path.dirname(require.resolve("vega-datasets")));
  return JSON.parse(fs.readFileSync(path.join(root, "data", "flights-20k.json"), "utf8")) as Flight[];
}

const flightSchema = z.object({ date: z.string(), delay: z.number(), distance: z.number(), origin: z.string(), destination: z.string() });

export const flights = relation("flights", { schema: flightSchema });

export const noop = trigger("noop", {
  routes: [{ relation: flights, infer: () => null }],
  cache: false,
});

export const ingestApp = defineApp({ name: "bench-ingest", relations: [flights], triggers: [noop], module: import.meta.url });

/** The same app with drift profiling off: P1 with and without it, in one run. */
const unprofiledFlights = relation("flights", { schema: flightSchema, profile: { enabled: false } });
export const unprofiledIngestApp = defineApp({
  name: "bench-ingest-unprofiled",
  relations: [unprofiledFlights],
  triggers: [trigger("noop", { routes: [{ relation: unprofiledFlights, infer: () => null }], cache: false })],
  module: import.meta.url,
});

export const spins = relation("spins", { schema: z.object({ ms: z.number().int() }) });
export const probes = relation("probes", { schema: z.object({ n: z.number() }) });

export const spinner = trigger("spinner", {
  setUp: () => ({ fits: 0 }),
  routes: [
    { relation: probes, infer: ({ version }) => version },
    {
      relation: spins,
      fit: ({ state, rows }) => {
        const until = Date.now() + Math.max(...rows.map((r) => r.data.ms));
        let x = 0;
        while (Date.now() < until) x += Math.sqrt(x + 1);
        return { fits: (state.fits as number) + 1, x };
      },
      batchSize: 1,
      maxWaitMs: 0,
    },
  ],
  cache: false,
});

export const fitApp = defineApp({ name: "bench-fit", relations: [spins, probes], triggers: [spinner], module: import.meta.url });

// The server benchmark's app: a relation to page through, and one whose adds run a cheap infer.
export const events = relation("events", { schema: z.object({ user: z.string(), kind: z.string(), value: z.number() }) });
export const notes = relation("notes", { schema: z.object({ text: z.string().min(1) }) });
export const tagger = trigger("tagger", {
  routes: [{ relation: notes, infer: ({ row }) => ({ length: row.data.text.length }) }],
  cache: false,
});
export const serverApp = defineApp({ name: "bench-server", relations: [events, notes], triggers: [tagger], module: import.meta.url });
/** The console-page benches' app: events scored by infer, no fit (rows, inferences and labels only). */
export const score = trigger("score", { setUp: () => ({}), routes: [{ relation: events, infer: ({ row }) => ({ score: row.data.value }) }] });
export const pagesApp = defineApp({ name: "bench", relations: [events], triggers: [score] });
export const BENCH_SECRET = "bench-secret-bench-secret-bench-secret!";

// P6: many triggers with a no-op fit of a tiny batch, to measure the scheduling overhead of
// scale-out fits (claims, commits, queue hops) rather than any fit's own work.
export const ticks = relation("ticks", { schema: z.object({ n: z.number().int() }) });
export const FANOUT_TRIGGERS = 24;
export const fanoutApp = defineApp({
  name: "bench-fanout",
  relations: [ticks],
  triggers: Array.from({ length: FANOUT_TRIGGERS }, (_, i) =>
    trigger(`fan${String(i).padStart(2, "0")}`, { routes: [{ relation: ticks, fit: () => undefined, batchSize: 1, maxWaitMs: 0 }], cache: false }),
  ),
  module: import.meta.url,
});
