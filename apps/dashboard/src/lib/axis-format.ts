/**
 * Chart tick labels: short enough for a narrow axis at any magnitude, never the same label on
 * every tick. Counts compact above 10k ("120k", "1.5M"); small values keep their significant
 * digits ("0.004", "3e-5") instead of rounding to "0.00".
 */
function trim(s: string): string {
  return s.includes("e") ? s : s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  const sign = v < 0 ? "-" : "";
  if (a >= 1e9) return `${sign}${trim((a / 1e9).toPrecision(3))}B`;
  if (a >= 1e6) return `${sign}${trim((a / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${sign}${trim((a / 1e3).toPrecision(3))}k`;
  if (a >= 1) return `${sign}${trim(a.toFixed(a >= 100 ? 0 : 2))}`;
  if (a >= 1e-4) return `${sign}${trim(a.toPrecision(2))}`;
  return `${sign}${a.toExponential(1).replace(/\.0e/, "e").replace("e-0", "e-")}`;
}

/** Durations in ms for an axis: µs below 1 ms, ms, then s and min. */
export function formatMsTick(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  if (ms === 0) return "0 ms";
  const a = Math.abs(ms);
  if (a < 1) {
    const us = ms * 1000;
    return Math.abs(us) < 1 ? `${formatTick(us)} µs` : `${trim(Math.abs(us) >= 100 ? us.toFixed(0) : us.toPrecision(2))} µs`;
  }
  if (a < 1000) return `${trim(a >= 100 ? ms.toFixed(0) : ms.toPrecision(2))} ms`;
  if (a < 60_000) return `${trim((ms / 1000).toPrecision(2))} s`;
  return `${trim((ms / 60_000).toPrecision(2))} min`;
}
