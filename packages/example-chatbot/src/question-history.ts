// A month of questions as a support widget would have logged them, imported with their own
// times, so the console's drift view opens on a real history: ordinary days, and one day when a
// broken widget release sent the same greeting over and over.

export interface HistoricalQuestion {
  text: string;
  askedBy?: string;
  askedAt: string;
}

const TOPICS = [
  "What is a relation in Motion?",
  "How does a trigger's fit differ from its infer?",
  "Can infer write to the state?",
  "How do I roll back the state of a trigger to an earlier version?",
  "What happens to pending rows when a fit fails?",
  "How many times is a failed fit retried?",
  "Which roles can label inferences in the console?",
  "How do API clients authenticate?",
  "How do I create an API key for a script?",
  "Where are state versions stored?",
  "How do I run Motion on PostgreSQL with several workers?",
  "What does Motion.open take as options?",
  "How are rows with the same key handled?",
  "What does pinning a rollback do?",
  "How do I see why a fit run failed?",
  "Can I change a trigger's params without a restart?",
  "How is drift detected on a relation?",
  "What does onDrift hold do to my fits?",
  "How do I export labeled feedback for fine-tuning?",
  "Which database does npm start use by default?",
  "How do I add rows from Python?",
  "What is the difference between the active and latest alias?",
  "How large can a batch of rows be?",
  "Where do I find the fit history of a trigger?",
];

const ASKERS = ["ana@example.com", "bo@example.com", "chen@example.com", "dee@example.com", "widget"];

/**
 * `days` days of questions ending yesterday (UTC), `perDay` a day on average. The day
 * `brokenDaysAgo` days back holds mostly one repeated greeting from one client.
 */
export function questionHistory(options: { days?: number; perDay?: number; brokenDaysAgo?: number; now?: Date; seed?: number } = {}): HistoricalQuestion[] {
  const { days = 28, perDay = 24, brokenDaysAgo = 4, now = new Date(), seed = 42 } = options;
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: HistoricalQuestion[] = [];
  for (let d = days; d >= 1; d--) {
    const start = today - d * 86_400_000;
    const n = Math.round(perDay * (0.8 + 0.4 * rand()));
    for (let i = 0; i < n; i++) {
      const askedAt = new Date(start + Math.floor((7 + 13 * rand()) * 3_600_000)).toISOString();
      if (d === brokenDaysAgo && rand() < 0.7) {
        out.push({ text: "hi", askedBy: "widget", askedAt });
        continue;
      }
      const topic = TOPICS[Math.floor(rand() * TOPICS.length)]!;
      const asker = rand() < 0.85 ? ASKERS[Math.floor(rand() * ASKERS.length)] : undefined;
      out.push({ text: topic, ...(asker ? { askedBy: asker } : {}), askedAt });
    }
  }
  return out;
}
