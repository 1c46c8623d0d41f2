/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval of a proportion (`successes` of `trials`). Unlike the normal
 * approximation it stays inside [0, 1] and is honest for small counts (0 of 3 is not "0%").
 * Null when there are no trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Interval | null {
  if (!(trials > 0)) return null;
  if (successes < 0 || successes > trials) throw new RangeError(`successes ${successes} outside 0..${trials}`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
