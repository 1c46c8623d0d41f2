// npm run eval -w @motion/example-chatbot [-- --splits N] [--verbose]
// Hit@3 on held-out questions before and after a round of labels on a separate training set:
// the fixed split of eval/questions.json, then N seeded random re-splits (default 8). Exits
// non-zero when feedback does not raise the mean held-out hit@3, or when a held-out answer
// came from a stored correction (the sets would overlap).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runPooled, type SetScore } from "../src/evaluation.ts";

const verbose = process.argv.includes("--verbose");
const splitsArg = process.argv.indexOf("--splits");
const splits = splitsArg >= 0 ? Number(process.argv[splitsArg + 1] ?? 8) : 8;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-chatbot-eval-"));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const line = (name: string, s: SetScore) =>
  `  ${name.padEnd(9)} hit@1 ${pct(s.hitAt1).padStart(6)}  hit@3 ${pct(s.hitAt3).padStart(6)}  MRR ${s.mrr.toFixed(3)}  (${s.questions} questions${s.fromCorrections ? `, ${s.fromCorrections} from corrections` : ""})`;

try {
  const started = performance.now();
  let leaked = 0;
  const pooled = await runPooled({
    databaseUrl: `file:${path.join(dir, "motion.db")}`,
    splits,
    onRun: (r, i) => {
      leaked += r.after.heldout.fromCorrections;
      if (i > 0) {
        console.log(`  split ${i}: held-out hit@3 ${pct(r.before.heldout.hitAt3)} → ${pct(r.after.heldout.hitAt3)}`);
        return;
      }
      console.log(`provider: ${r.provider}; ${r.documents} documents indexed (state version ${r.versions.indexed})`);
      console.log("fixed split (eval/questions.json), before feedback:");
      console.log(line("held-out", r.before.heldout));
      console.log(line("training", r.before.train));
      console.log(`labels on the training answers: ${r.labels.good} good, ${r.labels.bad} bad with the right page as correction (state version ${r.versions.afterFeedback})`);
      console.log("after feedback:");
      console.log(line("held-out", r.after.heldout));
      console.log(line("training", r.after.train));
      if (verbose) {
        for (const [when, s] of [["before", r.before.heldout], ["after", r.after.heldout]] as const) {
          for (const m of s.misses) console.log(`  miss ${when}: ${m.q} → expected ${m.expected}, got ${m.got.join(", ")}`);
        }
      }
      if (splits > 0) console.log(`random re-splits of the same 80 questions into 40 training + 40 held-out:`);
    },
  });
  const delta = pooled.after - pooled.before;
  console.log(
    `mean held-out hit@3 over ${pooled.runs.length} split(s): ${pct(pooled.before)} → ${pct(pooled.after)} ` +
      `(${delta >= 0 ? "+" : ""}${(100 * delta).toFixed(1)} points; better on ${pooled.better}, worse on ${pooled.worse}) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (leaked > 0) {
    console.error("held-out answers were served from corrections: the held-out set overlaps the training set");
    process.exitCode = 1;
  } else if (delta <= 0) {
    console.error("feedback did not improve mean held-out hit@3");
    process.exitCode = 1;
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
