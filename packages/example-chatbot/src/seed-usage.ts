// The seed's usage rows: what answering cost at the model provider, one row per billing line.
// Data only (no imports), so the console's end-to-end specs can compute what a numeric filter
// on `amount` must return from the same values the seed wrote.

export interface UsageRow {
  /** The provider's model name. */
  model: string;
  /** Tokens billed on this line. */
  tokens: number;
  /** What the line cost, in US cents (fractions allowed). */
  amount: number;
}

/**
 * Amounts chosen so a numeric comparison and a text one disagree: `amount > 20` holds for six
 * rows (20 itself excluded), while comparing as text would put "3", "4.5" and "7" above "20"
 * and "150" below it.
 */
export const SEED_USAGE: UsageRow[] = [
  { model: "local-extractive", tokens: 300, amount: 4.5 },
  { model: "local-extractive", tokens: 820, amount: 12 },
  { model: "gpt-4o-mini", tokens: 1400, amount: 20 },
  { model: "gpt-4o-mini", tokens: 1450, amount: 20.5 },
  { model: "gpt-4o-mini", tokens: 1500, amount: 21 },
  { model: "gpt-4o", tokens: 900, amount: 35.25 },
  { model: "local-extractive", tokens: 410, amount: 7 },
  { model: "gpt-4o", tokens: 2300, amount: 88 },
  { model: "gpt-4o-mini", tokens: 1390, amount: 19.99 },
  { model: "gpt-4o", tokens: 4000, amount: 150 },
  { model: "local-extractive", tokens: 200, amount: 3 },
  { model: "gpt-4o", tokens: 1100, amount: 42 },
];
