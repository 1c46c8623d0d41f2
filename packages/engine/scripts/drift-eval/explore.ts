import { birdstrikes, football } from "./datasets.ts";
import { evaluate, scoresOf, METHODS } from "./evaluate.ts";
const which = process.argv[2] ?? "birdstrikes";
const ds = which === "football" ? football() : birdstrikes();
console.log(ds.name, ds.partitions.length, "partitions", ds.partitions.map((p) => p.rows.length).join(" "));
const seeds = Array.from({ length: Number(process.argv[3] ?? 20) }, (_, i) => i);
const opts = process.argv[4] ? JSON.parse(process.argv[4]) : {};
const t0 = performance.now();
const res = evaluate({ dataset: ds, seeds, detectOptions: opts });
console.log(((performance.now() - t0) / 1000).toFixed(1), "s");
for (const m of METHODS) {
  const s = scoresOf(res[m]);
  console.log(m.padEnd(8), `P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} colP=${s.columnPrecision.toFixed(3)}`, `tp=${res[m].tp} fp=${res[m].fp} fn=${res[m].fn}`, Object.entries(res[m].byKind).map(([k, v]) => `${k}:${v.caught}/${v.corrupted}`).join(" "));
}
