// Words for the console: which column moved, and how.
import { type ColumnFinding } from "./detector.ts";

const LABELS: Record<string, string> = {
  coverage: "coverage", typeShare: "share of the usual type", mean: "mean", std: "std", min: "min", max: "max",
  p5: "p5", p50: "p50", p95: "p95", distinct: "distinct count", topShare: "top-value share",
  negativeShare: "negative share", integerShare: "integer share", trueShare: "true share",
  lengthMean: "mean length", lengthP95: "p95 length", meanNorm: "mean norm", dimMean: "mean of dimension means",
  valueShare: "share of one value",
};

const PERCENT = new Set(["coverage", "typeShare", "topShare", "negativeShare", "integerShare", "trueShare", "valueShare"]);

function format(statistic: string, value: number): string {
  if (PERCENT.has(statistic)) return `${(value * 100).toFixed(value === 0 || value === 1 ? 0 : 1)}%`;
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return value.toExponential(2);
  return Number(value.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)).toString();
}

/** "fare: p50 rose from 12.1 to 61.3, z = 9.4"; a value share names its value when known: 'airport: share of value "ORD" rose …'. */
export function explainFinding(f: ColumnFinding): string {
  const verb = f.value > f.mean ? "rose" : f.value < f.mean ? "fell" : "stayed";
  const label = f.statistic === "valueShare" && f.label !== undefined ? `share of value ${typeof f.label === "string" ? JSON.stringify(f.label) : format("mean", f.label)}` : (LABELS[f.statistic] ?? f.statistic);
  return `${f.column}: ${label} ${verb} from ${format(f.statistic, f.mean)} to ${format(f.statistic, f.value)}, z = ${f.z.toFixed(1)}`;
}
