import { z } from "zod";

export type RowKey<T> = keyof T & string | ((row: T) => string);

export interface RelationOptions<S extends z.ZodType> {
  schema: S;
  /** Rows with the same key are versions of one record (e.g. a re-scraped document's url). */
  key?: RowKey<z.output<S>>;
}

export interface Relation<S extends z.ZodType = z.ZodType> {
  readonly kind: "relation";
  readonly name: string;
  readonly schema: S;
  readonly key?: RowKey<z.output<S>>;
  /** The key of a validated row, or null when the relation has none. */
  keyOf(row: z.output<S>): string | null;
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
  return { kind: "relation", name, schema: options.schema, key, keyOf };
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
});

export type FeedbackRow = z.output<typeof feedback.schema>;
