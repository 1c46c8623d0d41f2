// npm run eval -w @motion/example-chatbot [-- --corpus packages|docs|all] [--verbose] [--what-if]
// (this file lives in the worker app because it labels through the API, which the example
// package may not import).
// Page hit@1/hit@3 of the chatbot on held-out questions, before and after labels on the
// training half, with BM25 over the same chunks measured in the same run. The packages corpus
// (READMEs in node_modules, eval/packages.json) carries the targets of issue #11: the exit code
// is 1 when one is missed. The docs corpus (docs/*.md, eval/questions.json) is reported too.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeVariant, docsEval, packagesEval, pct, rankingWhatIf, runEvaluation, targets, type EvalResult, type EvalSet, type Score, type SetScore, type VariantScore } from "@motion/example-chatbot";
import { API_LABELER, apiLabeler } from "./api-labeler.ts";

const verbose = process.argv.includes("--verbose");
const whatIf = process.argv.includes("--what-if");
const corpusArg = process.argv.indexOf("--corpus");
const corpus = corpusArg >= 0 ? process.argv[corpusArg + 1] : "all";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-chatbot-eval-"));

const row = (name: string, h: Score, t: Score) =>
  `| ${name} | ${pct(h.hitAt1)} | ${pct(h.hitAt3)} | ${h.mrr.toFixed(3)} | ${pct(t.hitAt1)} | ${pct(t.hitAt3)} |`;

function report(r: EvalResult): void {
  console.log(`\n## ${r.set}: ${r.documents} documents, ${r.chunks} chunks, provider ${r.provider}`);
  for (const note of r.notes) console.log(`note: ${note}`);
  console.log(`${r.before.heldout.questions} held-out and ${r.before.train.questions} training questions; hit@k = the right page among the first k distinct pages\n`);
  console.log("| | held-out hit@1 | held-out hit@3 | held-out MRR | train hit@1 | train hit@3 |");
  console.log("|---|---|---|---|---|---|");
  console.log(row("BM25, MiniSearch defaults (reference)", r.reference.bm25.heldout, r.reference.bm25.train));
  console.log(row("BM25, the chatbot's tokeniser and fields", r.reference.lexical.heldout, r.reference.lexical.train));
  console.log(row("chatbot, before labels", r.before.heldout, r.before.train));
  console.log(row("chatbot, after labels on the training half", r.after.heldout, r.after.train));
  const ev = (s: SetScore) => (s.evidence === null ? "n/a" : pct(s.evidence));
  console.log(`\nlabels: ${r.labels.good} good, ${r.labels.bad} bad with { source }, through ${r.labels.through} (state v${r.versions.indexed} → v${r.versions.afterFeedback}); ` +
    `training answers served from corrections after: ${r.after.train.fromCorrections}`);
  const m = r.feedbackFit;
  if ("fusionVectorScale" in m) {
    console.log(`feedback fit chose: fusion vector ×${m.fusionVectorScale}, support ${m.fusionSupport} × ${m.fusionSupportChunks ? `≤${m.fusionSupportChunks}` : "all"} other chunks ` +
      `(labeled hit@1 without votes ${pct(m.labeledHitAt1FusionDefault ?? 0)} → ${pct(m.labeledHitAt1FusionChosen ?? 0)}), vote weight ${m.voteWeight}, reranker ${m.rerankerUsed ? "used" : "not used"}`);
  }
  const t = r.transfer;
  const hits = Math.round(r.before.heldout.hitAt1 * r.before.heldout.questions);
  console.log(`held-out misses before labels: ${t.misses}; sharing a content term with a training question on the right page: ${t.sharedTerm}; ` +
    `sharing one no other page's training questions have: ${t.specificTerm} (query-term → page associations from these labels reach at most ${pct((hits + t.specificTerm) / (r.before.heldout.questions || 1))} held-out hit@1)`);
  console.log(`answers quoting the evidence (an expected term), held-out: before ${ev(r.before.heldout)}, after ${ev(r.after.heldout)}`);
  console.log(`time: ingest ${r.seconds.ingest.toFixed(1)} s, ${r.before.heldout.questions + r.before.train.questions} questions ${r.seconds.questions.toFixed(1)} s, feedback fit ${r.seconds.feedbackFit.toFixed(1)} s`);
  if (verbose) {
    for (const [when, s] of [["before", r.before.heldout], ["after", r.after.heldout]] as const) {
      for (const m of s.misses) console.log(`  held-out miss ${when}: ${m.q} → expected ${m.expected}, got ${m.got.join(", ")}`);
    }
  }
}

// Other ranking settings on the same set, chosen on the training half (see what-if.ts).
async function reportWhatIf(set: EvalSet): Promise<void> {
  const w = await rankingWhatIf(set);
  const line = (name: string, s: VariantScore) => console.log(`| ${name} | ${describeVariant(s.variant)} | ${pct(s.train)} | ${pct(s.heldout)} |`);
  console.log(`\nwhat if (${w.variants} ranking variants, no labels except the confusion pairs; train hit@1 of confusion pairs is leave-one-out):\n`);
  console.log("| | settings | train hit@1 | held-out hit@1 |");
  console.log("|---|---|---|---|");
  line("shipped", w.shipped);
  line("chosen on the training half", w.chosen);
  for (const f of w.families) {
    line(`${f.name}: chosen on train`, f.chosen);
    line(`${f.name}: held-out ceiling`, f.ceiling);
  }
  line("whole grid: held-out ceiling (looks at held-out answers)", w.ceiling);
}

try {
  let failed = false;
  if (corpus === "packages" || corpus === "all") {
    const r = await runEvaluation({ databaseUrl: `file:${path.join(dir, "packages.db")}`, set: packagesEval(), labeler: apiLabeler, labeledThrough: API_LABELER });
    report(r);
    if (whatIf) await reportWhatIf(packagesEval());
    console.log("\ntargets (held-out):");
    for (const t of targets(r)) {
      console.log(`  ${t.ok ? "PASS" : "FAIL"} ${t.name}`);
      failed ||= !t.ok;
    }
  }
  if (corpus === "docs" || corpus === "all") {
    report(await runEvaluation({ databaseUrl: `file:${path.join(dir, "docs.db")}`, set: docsEval(), labeler: apiLabeler, labeledThrough: API_LABELER }));
    if (whatIf) await reportWhatIf(docsEval());
  }
  if (failed) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
