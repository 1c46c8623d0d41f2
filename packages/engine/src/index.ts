export { relation, feedback, feedbackLabel, type Relation, type RelationOptions, type RowOf, type InputOf, type StoredRow, type FeedbackRow } from "./relation.ts";
export { trigger, route, DEFAULT_BACKPRESSURE, type Backpressure, type OnDrift, type Trigger, type TriggerOptions, type Route, type InferContext, type FitContext, type InferenceSummary, type RetryPolicy } from "./trigger.ts";
export { optionsFrom, correctionJsonSchema, optionsFromFields, validateCorrection, type OptionsFrom, type MotionFieldMeta, type JsonSchema } from "./correction.ts";
export { type OptionValue } from "./correction-options.ts";
export { defineApp, isApp, findApp, importApp, type App, type AppDefinition } from "./app.ts";
export { Motion, createMotion, MAX_OUTCOME_VERSIONS, type LabelExport, type LabelExportFormat, type RollbackOptions, type MotionOptions, type AddOptions, type AddResult, type InferenceResult, type FeedbackInput, type SchedulerContext } from "./motion.ts";
export { ValidationError, NotFoundError, ConflictError, InferenceError, BackpressureError, type RowIssue } from "./errors.ts";
export { type State, type StatePatch, type StateValue, type JsonValue, type BinaryValue, type Manifest, type ManifestEntry, isBinary, checksumOf } from "./state.ts";
export { type FitScheduler, EmbeddedFitScheduler } from "./fit-scheduler.ts";
export { FitRunner, type FitResult } from "./fit-runner.ts";
export { type FitTask } from "./fit-task.ts";
export { type FitRunRecord, type FitStatus, toFitRun } from "./fit-store.ts";
export { claimBatches, type Claim, type ClaimRequest, type ClaimOutcome } from "./fit-claim.ts";
export { type VersionInfo, type Aliases } from "./state-store.ts";
export { contentHash, stableStringify } from "./hash.ts";
export { createLogger, type Logger } from "./logger.ts";
export { BullMQFitScheduler, bullmqScheduler, type BullMQSchedulerOptions } from "./bullmq-fit-scheduler.ts";
export { drainTrigger, fitWork } from "./fit-drain.ts";
export { wilsonInterval, Z95, type Interval } from "./outcomes/wilson.ts";
export { latencyBucket, bucketValue, histogramQuantile, histogramQuantiles, LATENCY_ACCURACY } from "./outcomes/latency-histogram.ts";
export { type OutcomeFigures, type ParamsOutcome, type VersionOutcomes, type FitSummary } from "./outcomes/outcome-read.ts";
export { diffJson, type JsonChange, type JsonDiff } from "./state-diff/json-diff.ts";
export { type VersionDiff, type KeyDiff, type PathSide } from "./state-diff/state-diff.ts";
export { type FitOnPath } from "./state-diff/version-path.ts";
export { rollUpInferences, addOutcomes, type Rollup, type OutcomeDelta, type LatencyDelta } from "./outcomes/outcome-rollup.ts";
export { recordAudit, type AuditEntry } from "./audit-log.ts";
export { type DeletedRow } from "./row-deletion.ts";
export { defaultTrainingExample, toChat, toOpenAIJsonl, messageText, type LabeledExample, type ChatExample, type ChatMessage, type TrainingExampleFn } from "./training-example.ts";
export { type LabelExportQuery, type ExportedLabel } from "./read-model/label-export.ts";
export { LABEL_CSV_COLUMNS } from "./read-model/label-csv.ts";
export {
  inferenceRecord, inferenceFeedback, withDetails, SCAN_WINDOW,
  type InferenceSearch, type InferencePage, type InferenceRecord, type InferenceFeedback, type InferenceWithDetails,
} from "./read-model/inference-search.ts";
export { RetentionService, type PurgeReport, type RetentionOptions, type RetentionRunOptions } from "./retention.ts";
export { fitActivity, readFitActivity, type FitActivity, type TriggerFitActivity } from "./fit-activity.ts";
export { readActivity, type Activity, type ActivityBucket, type ActivityWindow, type TriggerActivity, type FitSample } from "./activity/activity-read.ts";
export { rollUpMinutes, addMinutes, minuteOf, MINUTE_MS, type MinuteRollup, type MinuteSample } from "./activity/minute-rollup.ts";
export { readLabelCounts, type LabelCounts } from "./activity/label-counts.ts";
