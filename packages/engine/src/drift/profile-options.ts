// What a relation profiles, and how its rows fall into partitions. The relation's
// `profile` and `partitionBy` options are validated here once, at declaration time.
import { z } from "zod";

export const GRANULARITIES = ["hour", "day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** A field name (dotted for nested fields) or a function of the validated row. */
export type PartitionSource<T = any> = string | ((row: T) => Date | string | number);

export interface PartitionSpec<T = any> {
  /** Where a row's time comes from; omitted = the ingest time. */
  by?: PartitionSource<T>;
  granularity?: Granularity;
}

export interface ProfileOptions {
  /** Profile nothing for this relation. */
  enabled?: boolean;
  /** Dotted column paths to watch (a path also covers everything under it); default: all. */
  include?: string[];
  /** Dotted column paths never to watch (wins over include). */
  exclude?: string[];
  /** How deep nested objects are followed; 0 = top-level fields only. Default 3. */
  maxDepth?: number;
  /** At most this many columns per relation, first seen first; default 50. */
  maxColumns?: number;
}

export const profileOptionsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  include: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  maxDepth: z.number().int().min(0).max(16).optional(),
  maxColumns: z.number().int().min(1).max(1000).optional(),
});

export const partitionSpecSchema = z.strictObject({
  by: z.union([z.string().min(1), z.function()]).optional(),
  granularity: z.enum(GRANULARITIES).optional(),
});

/** Profile options with every default filled in. */
export interface ResolvedProfileOptions {
  enabled: boolean;
  include: readonly string[] | null;
  exclude: readonly string[];
  maxDepth: number;
  maxColumns: number;
}

export const DEFAULT_PROFILE_OPTIONS: ResolvedProfileOptions = { enabled: true, include: null, exclude: [], maxDepth: 3, maxColumns: 50 };

/** Validates and fills defaults; throws a zod error naming the bad option. */
export function resolveProfileOptions(options: ProfileOptions = {}): ResolvedProfileOptions {
  const parsed = profileOptionsSchema.parse(options);
  return {
    enabled: parsed.enabled ?? DEFAULT_PROFILE_OPTIONS.enabled,
    include: parsed.include ?? null,
    exclude: parsed.exclude ?? [],
    maxDepth: parsed.maxDepth ?? DEFAULT_PROFILE_OPTIONS.maxDepth,
    maxColumns: parsed.maxColumns ?? DEFAULT_PROFILE_OPTIONS.maxColumns,
  };
}

function covers(root: string, path: string): boolean {
  return path === root || path.startsWith(root + ".");
}

/** Whether a column path is watched under these options. */
export function isWatched(options: ResolvedProfileOptions, path: string): boolean {
  if (options.exclude.some((root) => covers(root, path))) return false;
  return options.include === null || options.include.some((root) => covers(root, path));
}

/** Whether the walk should descend into an object at `path` (it may hold watched columns). */
export function mayHoldWatched(options: ResolvedProfileOptions, path: string): boolean {
  if (options.exclude.some((root) => covers(root, path))) return false;
  return options.include === null || options.include.some((root) => covers(root, path) || covers(path, root));
}
