// Drift: partition keys, mergeable column profiles, the detector and chart preparers.
export { partitionKeyFunction, partitionKeyOf, PartitionKeyError, type PartitionKeyFn } from "./partition-key.ts";
export {
  resolveProfileOptions, profileOptionsSchema, partitionSpecSchema, isWatched, DEFAULT_PROFILE_OPTIONS, GRANULARITIES,
  type ProfileOptions, type ResolvedProfileOptions, type PartitionSpec, type PartitionSource, type Granularity,
} from "./profile-options.ts";
export { createAccumulator, merge, mergeProfileJSON, ProfileAccumulator, type ProfileJSON } from "./profile-accumulator.ts";
export { type ColumnKind } from "./column-profile.ts";
export { summarize, STATISTICS, SHARE_STATISTICS, type PartitionSummary, type ColumnSummary, type Statistic } from "./summary.ts";
export {
  detect, detectSeries, compare, resolveDetectOptions, Z_CAP, FINDING_STATISTICS,
  type DetectOptions, type DetectSeriesOptions, type ResolvedDetectOptions, type PartitionInput, type PartitionVerdict, type ColumnFinding, type VerdictStatus,
} from "./detector.ts";
export { explainFinding } from "./explain.ts";
export { heatmapData, seriesData, type Heatmap, type HeatmapCell, type SeriesPoint } from "./chart-data.ts";
export { QUANTILE_ACCURACY } from "./quantile-sketch.ts";
export {
  DRIFT_STATUSES,
  type DriftStatus, type DriftPartition, type DriftProfileView, type DriftAction, type DriftEvent, type DriftDecision, type DriftRelationSummary, type DriftSurface,
} from "./surface.ts";
