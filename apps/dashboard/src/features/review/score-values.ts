// Score inputs as text in the form, and back to the values `feedback.score` / `queues.complete`
// take: numbers for numeric scores, strings otherwise; untouched or empty fields are left out.
export type ScoreConfigLike =
  | { kind: "numeric"; min?: number; max?: number; integer?: boolean; description?: string }
  | { kind: "categorical"; values: readonly string[]; description?: string }
  | { kind: "text"; maxLength?: number; description?: string };

export function initialScoreText(given: Record<string, { value: number | string }> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(given ?? {}).map(([name, s]) => [name, String(s.value)]));
}

export function scoreValues(configs: Record<string, ScoreConfigLike>, text: Record<string, string>, initial: Record<string, string>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, config] of Object.entries(configs)) {
    const raw = text[name]?.trim() ?? "";
    if (raw === "" || raw === (initial[name] ?? "")) continue;
    // A number that does not parse is sent as text: the API names the field in its 400.
    out[name] = config.kind === "numeric" && raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}
