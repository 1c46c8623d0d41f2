// Short text for per-version outcomes (good-rate with its Wilson interval, rates, moves).

export interface FeedbackFigures {
  good: number;
  bad: number;
  labeled: number;
  goodRate: number | null;
  interval: { low: number; high: number } | null;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** "67%" or "—" without labels. */
export function formatGoodRate(f: FeedbackFigures): string {
  return f.goodRate === null ? "—" : pct(f.goodRate);
}

/** "21–94%": the Wilson 95% interval, so 1 of 1 does not read as a sure 100%. */
export function formatInterval(f: FeedbackFigures): string {
  return f.interval ? `${Math.round(f.interval.low * 100)}–${pct(f.interval.high)}` : "";
}

/** "1 label", "12 labels". */
export function formatLabels(n: number): string {
  return `${new Intl.NumberFormat("en").format(n)} label${n === 1 ? "" : "s"}`;
}

export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  if (rate > 0 && rate < 0.001) return "<0.1%";
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
}

export type MoveDirection = "same" | "back" | "forward" | "across";

/** Before the diff says how the versions relate, the numbers decide: a newer target moves forward. */
export function guessDirection(from: number, to: number): MoveDirection {
  return from === to ? "same" : to < from ? "back" : "forward";
}

/** The dialog's title and confirm button for a move of `active`. */
export function moveWording(direction: MoveDirection, trigger: string, to: number): { title: string; confirm: string; destructive: boolean } {
  if (direction === "forward") return { title: `Move active forward on ${trigger}?`, confirm: `Move active forward to v${to}`, destructive: false };
  if (direction === "across") return { title: `Move active of ${trigger} to another branch?`, confirm: `Move active to v${to}`, destructive: false };
  return { title: `Roll back ${trigger}?`, confirm: `Roll back to v${to}`, destructive: true };
}

/** A JSON change's path as `a.b[2]`, or "(whole value)". */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return "(whole value)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
