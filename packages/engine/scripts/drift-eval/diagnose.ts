// `npx tsx scripts/drift-eval/diagnose.ts [dataset] [seeds]`: where the detector's recall and false
// alarms come from on one split — for tuning only (docs/drift.md says which split that is).
import { birdstrikes, weather, type Dataset } from "./datasets.ts";
import { evaluate } from "./evaluate.ts";

const name = process.argv[2] ?? "birdstrikes";
const [from, n] = (process.argv[3] ?? "0:50").split(":").map(Number) as [number, number];
// Tuning data only: the held-out splits are not diagnosed.
const dataset: Dataset = name === "weather" ? weather() : birdstrikes();
const clean: { score: number; top: string }[] = [];
const missed = new Map<string, string[]>();
const caughtZ: number[] = [];
const stat = process.argv[4] ?? "valueShare";
const cleanStat: number[] = [];
const corruptStat = new Map<string, number[]>();
evaluate({
  dataset,
  seeds: Array.from({ length: n }, (_, i) => from + i),
  inspect: (v, truth) => {
    if (v.score === null) return;
    const top = v.findings.reduce((a, b) => (Math.abs(b.z) > Math.abs(a.z) ? b : a), v.findings[0]!);
    const sz = Math.max(0, ...v.findings.filter((f) => f.statistic === stat && (!truth || f.column === truth.column)).map((f) => Math.abs(f.z)));
    if (!truth) cleanStat.push(sz);
    else corruptStat.set(truth.kind, [...(corruptStat.get(truth.kind) ?? []), sz]);
    if (!truth) {
      clean.push({ score: v.score, top: `${top.column}.${top.statistic} ${top.value.toPrecision(3)} vs ${top.mean.toPrecision(3)}` });
      return;
    }
    const own = v.findings.filter((f) => f.column === truth.column).sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    if (v.status === "drift") caughtZ.push(v.score);
    else {
      const list = missed.get(truth.kind) ?? [];
      list.push(`${truth.column}: ${own.slice(0, 3).map((f) => `${f.statistic} z=${f.z.toFixed(1)}`).join(", ")}`);
      missed.set(truth.kind, list);
    }
  },
});
clean.sort((a, b) => b.score - a.score);
console.log(`clean partitions judged: ${clean.length}; highest scores:`);
for (const c of clean.slice(0, 25)) console.log(`  ${c.score.toFixed(2)}  ${c.top}`);
const quant = (q: number) => clean[Math.floor(q * clean.length)]?.score.toFixed(2);
console.log(`clean score quantiles: 1% ${quant(0.01)}, 5% ${quant(0.05)}, 10% ${quant(0.1)}, 50% ${quant(0.5)}`);
for (const [kind, list] of missed) {
  console.log(`missed ${kind}: ${list.length}`);
  for (const m of list.slice(0, 12)) console.log(`  ${m}`);
}
cleanStat.sort((a, b) => b - a);
console.log(`${stat} |z| on clean partitions (max over columns): top ${cleanStat.slice(0, 15).map((z) => z.toFixed(1)).join(" ")}; 1% ${cleanStat[Math.floor(cleanStat.length / 100)]?.toFixed(1)} 5% ${cleanStat[Math.floor(cleanStat.length / 20)]?.toFixed(1)}`);
for (const [kind, zs] of corruptStat) {
  zs.sort((a, b) => a - b);
  console.log(`${stat} |z| of the corrupted column, ${kind}: median ${zs[zs.length >> 1]?.toFixed(1)}; ${zs.map((z) => z.toFixed(0)).join(" ")}`);
}
