// The chatbot's `evaluate`: how well a version's answers cited the right page, judged by
// operators' labels on them. A good label says the first cited page was right; a bad one with
// a `source` correction names the right page; a bad one without says nothing about pages and
// is counted only in the good-rate. hit@k: the right page is among the first k distinct pages
// cited, as in the offline evaluation (evaluation.ts).
import type { LabeledExample } from "@motion/engine";
import { readCorrection } from "./correction.ts";

function pagesOf(output: unknown): string[] {
  const sources = (output as { sources?: { url?: unknown }[] } | null)?.sources ?? [];
  const pages: string[] = [];
  for (const s of sources) if (typeof s?.url === "string" && !pages.includes(s.url)) pages.push(s.url);
  return pages;
}

export function labelMetrics(examples: LabeledExample[]): Record<string, number> {
  let judged = 0;
  let hit1 = 0;
  let hit3 = 0;
  let rank = 0;
  let good = 0;
  for (const e of examples) {
    if (e.label === "good") good++;
    const pages = pagesOf(e.output);
    const right = e.label === "good" ? (pages[0] ?? null) : (readCorrection(e.correction)?.source ?? null);
    if (!right) continue;
    judged++;
    const at = pages.indexOf(right);
    if (at === 0) hit1++;
    if (at >= 0 && at < 3) hit3++;
    if (at >= 0) rank += 1 / (at + 1);
  }
  const metrics: Record<string, number> = { labeled: examples.length, goodRate: good / examples.length, judgedPages: judged };
  if (judged) Object.assign(metrics, { pageHitAt1: hit1 / judged, pageHitAt3: hit3 / judged, pageMrr: rank / judged });
  return metrics;
}
