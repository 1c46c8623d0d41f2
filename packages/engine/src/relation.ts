import { z } from "zod";
import { partitionKeyFunction, type PartitionKeyFn } from "./drift/partition-key.ts";
import { partitionSpecSchema, resolveProfileOptions, type Granularity, type PartitionSource, type PartitionSpec, type ProfileOptions, type ResolvedProfileOptions } from "./drift/profile-options.ts";
import { retentionOptionsSchema, type RetentionOptions } from "./retention-options.ts";
import { resolveDetectOptions, type DetectOptions, type ResolvedDetectOptions } from "./drift/detector.ts";

export type RowKey<T> = keyof T & string | ((row: T) => string);

export interface RelationOptions<S extends z.ZodType> {
  schema: S;
  /** Rows with the same key are versions of one record (e.g. a re-scraped document's url). */
  key?: RowKey<z.output<S>>;
  /**
   * Which time partition a row falls into, for drift profiles: a field name (dotted for nested
   * fields) or a function of the validated row returning a Date, a date string or epoch ms, or
   * `{ by, granularity }`. Default: the ingest time, by UTC day.
   */
  partitionBy?: PartitionSource<z.output<S>> | PartitionSpec<z.output<S>>;
  /** What to profile (columns to include/exclude, depth) or `{ enabled: false }`. */
  profile?: ProfileOptions;
  /** Detector options: minHistory, window, threshold, columns, and when a partition closes. */
  drift?: DriftOptions;
  /** Delete rows (with their inferences and labels) stored more than `days` ago; see retention.ts. */
  retention?: RetentionOptions;
}

export interface DriftOptions extends DetectOptions {
  /**
   * The newest partition closes (is judged) this long after its period ends, unless rows of a
   * later partition close it first. Default 5 minutes.
   */
  closeAfterMs?: number;
}

export interface ResolvedDrift extends ResolvedDetectOptions {
  granularity: Granularity;
  closeAfterMs: number;
  profile: ResolvedProfileOptions;
  /** The partition of a validated row ingested at `ingestedAt`; throws PartitionKeyError. */
  partitionOf: PartitionKeyFn;
  /** Whether partitions come from the rows (event time) rather than the ingest time. */
  eventTime: boolean;
}

export interface Relation<S extends z.ZodType = z.ZodType> {
  readonly kind: "relation";
  readonly name: string;
  readonly schema: S;
  readonly key?: RowKey<z.output<S>>;
  /** The key of a validated row, or null when the relation has none. */
  keyOf(row: z.output<S>): string | null;
  readonly drift: ResolvedDrift;
  /** Null when rows are kept forever. */
  readonly retention: { days: number } | null;
}

export type RowOf<R> = R extends Relation<infer S> ? z.output<S> : never;
export type InputOf<R> = R extends Relation<infer S> ? z.input<S> : never;

const NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

export function assertName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(`${kind} name "${name}" must start with a letter and use letters, digits, _ or - (max 64)`);
  }
}

export function relation<S extends z.ZodType>(name: string, options: RelationOptions<S>): Relation<S> {
  assertName("relation", name);
  const { key } = options;
  const keyOf =
    key === undefined
      ? () => null
      : typeof key === "function"
        ? (row: z.output<S>) => String(key(row))
        : (row: z.output<S>) => {
            const value = (row as Record<string, unknown>)[key];
            return value === undefined || value === null ? null : String(value);
          };
  return { kind: "relation", name, schema: options.schema, key, keyOf, drift: resolveDrift(name, options), retention: resolveRetention(name, options.retention) };
}

function resolveRetention(name: string, retention: RetentionOptions | undefined): { days: number } | null {
  if (retention === undefined) return null;
  const parsed = retentionOptionsSchema.safeParse(retention);
  if (!parsed.success) throw new TypeError(`relation ${name}: retention ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function resolveDrift(name: string, options: RelationOptions<z.ZodType>): ResolvedDrift {
  const raw = options.partitionBy;
  const spec: PartitionSpec = raw === undefined ? {} : typeof raw === "string" || typeof raw === "function" ? { by: raw } : raw;
  const parsedSpec = partitionSpecSchema.safeParse(spec);
  if (!parsedSpec.success) throw new TypeError(`relation ${name}: partitionBy ${z.prettifyError(parsedSpec.error)}`);
  const { closeAfterMs = 5 * 60_000, ...detect } = options.drift ?? {};
  if (!Number.isFinite(closeAfterMs) || closeAfterMs < 0) throw new TypeError(`relation ${name}: drift.closeAfterMs must be a number ≥ 0`);
  let profile: ResolvedProfileOptions;
  let detectOptions: ResolvedDetectOptions;
  try {
    profile = resolveProfileOptions(options.profile);
    detectOptions = resolveDetectOptions(detect);
  } catch (error) {
    const message = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    throw new TypeError(`relation ${name}: ${message}`);
  }
  return {
    ...detectOptions, granularity: spec.granularity ?? "day", closeAfterMs, profile,
    partitionOf: partitionKeyFunction(spec), eventTime: spec.by !== undefined,
  };
}

/** A stored row as triggers see it. */
export interface StoredRow<T = unknown> {
  id: string;
  key: string | null;
  createdAt: Date;
  data: T;
}

export const feedbackLabel = z.enum(["good", "bad"]);

/** The built-in relation every label lands in, so a trigger can `fit` on feedback. */
export const feedback = relation("feedback", {
  schema: z.object({
    inferenceId: z.string().min(1),
    trigger: z.string(),
    route: z.string(),
    label: feedbackLabel,
    correction: z.unknown().optional(),
    note: z.string().max(10_000).optional(),
    actor: z.string().min(1),
    /** The labeled row's data and the inference's output, so a fit needs no lookups. */
    input: z.unknown(),
    output: z.unknown(),
  }),
  // Labels, not the labeled data: the rows and outputs are profiled in their own relations.
  profile: { exclude: ["input", "output", "correction", "inferenceId", "note"] },
});

export type FeedbackRow = z.output<typeof feedback.schema>;
