// `npx tsx scripts/drift-eval/tune.ts [threshold]`: Motion's scores on the tuning split only
// (birdstrikes seeds 0–49), for trying a change without looking at the held-out splits.
import { birdstrikes } from "./datasets.ts";
import { evaluate, scoresOf } from "./evaluate.ts";

const threshold = process.argv[2] ? Number(process.argv[2]) : undefined;
const t = evaluate({ dataset: birdstrikes(), seeds: Array.from({ length: 50 }, (_, i) => i), detectOptions: threshold ? { threshold } : {}, methods: ["motion"] });
const s = scoresOf(t.motion);
console.log(`precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)} column precision ${s.columnPrecision.toFixed(3)} (tp ${t.motion.tp} fp ${t.motion.fp} fn ${t.motion.fn})`);
console.log(`recall on full-strength corruptions ${(t.motion.full.caught / t.motion.full.corrupted).toFixed(3)} (${t.motion.full.caught}/${t.motion.full.corrupted})`);
console.log(Object.entries(t.motion.byKind).map(([k, v]) => `${k} ${v.caught}/${v.corrupted}`).join(", "));
