// Scores an app declares on a trigger besides good/bad (Langfuse-style score configs): a number
// in a range, one of a few categories, or free text. Checked once when the trigger is defined,
// and every given value is checked against its config before anything is written.
import type { RowIssue } from "../errors.ts";

export type ScoreConfig =
  | { kind: "numeric"; min?: number; max?: number; /** Only whole numbers. */ integer?: boolean; description?: string }
  | { kind: "categorical"; values: readonly string[]; description?: string }
  | { kind: "text"; /** Default 2000. */ maxLength?: number; description?: string };

export type ScoreConfigs = Readonly<Record<string, ScoreConfig>>;
export type ScoreValue = number | string;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
export const DEFAULT_TEXT_SCORE_LENGTH = 2000;

/** Throws a TypeError naming the score when a declaration cannot be used. */
export function checkScoreConfigs(trigger: string, scores: ScoreConfigs | undefined): ScoreConfigs {
  if (!scores) return {};
  for (const [name, config] of Object.entries(scores)) {
    const at = `trigger ${trigger}: score ${name}`;
    if (!NAME.test(name)) throw new TypeError(`${at}: names are letters, digits and _ (starting with a letter)`);
    if (name === "label") throw new TypeError(`${at}: "label" is the built-in good/bad label`);
    if (config.kind === "numeric") {
      if (config.min !== undefined && !Number.isFinite(config.min)) throw new TypeError(`${at}: min must be a finite number`);
      if (config.max !== undefined && !Number.isFinite(config.max)) throw new TypeError(`${at}: max must be a finite number`);
      if (config.min !== undefined && config.max !== undefined && config.min > config.max) throw new TypeError(`${at}: min is above max`);
    } else if (config.kind === "categorical") {
      if (!Array.isArray(config.values) || config.values.length === 0) throw new TypeError(`${at}: a categorical score needs values`);
      if (new Set(config.values).size !== config.values.length) throw new TypeError(`${at}: values must be distinct`);
      if (config.values.some((v) => typeof v !== "string" || v.length === 0)) throw new TypeError(`${at}: values must be non-empty strings`);
    } else if (config.kind === "text") {
      if (config.maxLength !== undefined && (!Number.isInteger(config.maxLength) || config.maxLength < 1)) throw new TypeError(`${at}: maxLength must be a positive integer`);
    } else {
      throw new TypeError(`${at}: kind must be "numeric", "categorical" or "text"`);
    }
  }
  return scores;
}

/** Issues (with path ["scores", name]) for every value that does not fit the trigger's configs; null clears a score. */
export function scoreIssues(configs: ScoreConfigs, values: Record<string, unknown>): RowIssue[] {
  const issues: RowIssue[] = [];
  const issue = (name: string, message: string, code = "invalid_value") => issues.push({ index: 0, path: ["scores", name], message, code });
  for (const [name, value] of Object.entries(values)) {
    const config = Object.hasOwn(configs, name) ? configs[name] : undefined;
    if (!config) {
      issue(name, `no score ${name} is declared (declared: ${Object.keys(configs).join(", ") || "none"})`, "unrecognized_keys");
      continue;
    }
    if (value === null) continue;
    if (config.kind === "numeric") {
      if (typeof value !== "number" || !Number.isFinite(value)) issue(name, "expected a number", "invalid_type");
      else if (config.integer && !Number.isInteger(value)) issue(name, "expected a whole number", "invalid_type");
      else if (config.min !== undefined && value < config.min) issue(name, `must be at least ${config.min}`, "too_small");
      else if (config.max !== undefined && value > config.max) issue(name, `must be at most ${config.max}`, "too_big");
    } else if (config.kind === "categorical") {
      if (typeof value !== "string" || !config.values.includes(value)) issue(name, `expected one of ${config.values.join(", ")}`);
    } else {
      const max = config.maxLength ?? DEFAULT_TEXT_SCORE_LENGTH;
      if (typeof value !== "string") issue(name, "expected text", "invalid_type");
      else if (value.length > max) issue(name, `at most ${max} characters`, "too_big");
    }
  }
  return issues;
}
