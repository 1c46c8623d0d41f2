// The public drift surface: what `motion.drift.*` returns. The API and the console use these
// shapes; the engine fills them from the stored profiles, verdicts and events.
import { type ColumnFinding } from "./detector.ts";
import { type Heatmap, type SeriesPoint } from "./chart-data.ts";
import { type PartitionSummary } from "./summary.ts";

/**
 * ok: judged, like its history. drift: flagged, nothing held. held: flagged, and a route with
 * `onDrift: "hold"` waits for an operator. released / dropped: an operator decided (rows
 * fitted / never fitted). open: still receiving rows. insufficient-history: judged with fewer
 * valid partitions than `minHistory`, so not compared.
 */
export type DriftStatus = "ok" | "drift" | "held" | "released" | "dropped" | "open" | "insufficient-history";

export const DRIFT_STATUSES: readonly DriftStatus[] = ["ok", "drift", "held", "released", "dropped", "open", "insufficient-history"];

export interface DriftPartition {
  relation: string;
  partition: string;
  rows: number;
  status: DriftStatus;
  /** Largest |z| over compared statistics; null when not compared. */
  score: number | null;
  threshold: number;
  /** Responsible columns, strongest first (empty unless flagged or near it). */
  columns: ColumnFinding[];
  /** Earlier valid partitions the verdict compared against. */
  history: number;
  /** Whether the partition counts as history for later ones (ok, insufficient-history, or marked valid). */
  valid: boolean;
  checkedAt: Date | null;
}

export interface DriftProfileView {
  relation: string;
  partition: string;
  rows: number;
  summary: PartitionSummary;
  verdict: DriftPartition | null;
  /** Every compared (column, statistic) of the verdict, for the detail view. */
  findings: ColumnFinding[];
  /** One sentence per responsible column ("fare: p50 rose from 12.1 to 61.3, z = 9.4"). */
  explanation: string[];
}

export type DriftAction = "flag" | "release" | "drop" | "mark-valid" | "refit";

export interface DriftEvent {
  id: string;
  relation: string;
  partition: string;
  action: DriftAction;
  actor: string;
  reason: string | null;
  data: unknown;
  createdAt: Date;
}

export interface DriftDecision {
  actor: string;
  reason?: string;
}

export interface DriftRelationSummary {
  relation: string;
  granularity: string;
  profiled: boolean;
  partitions: number;
  /** Partitions flagged and not yet decided (drift or held). */
  open: number;
  held: number;
  lastPartition: string | null;
}

/** Engine surface, implemented by `motion.drift`. */
export interface DriftSurface {
  relations(): Promise<DriftRelationSummary[]>;
  partitions(relation: string, range?: { from?: string; to?: string }): Promise<DriftPartition[]>;
  profile(relation: string, partition: string): Promise<DriftProfileView>;
  series(relation: string, column: string, statistic: string, range?: { from?: string; to?: string }): Promise<SeriesPoint[]>;
  heatmap(relation: string, range?: { from?: string; to?: string }): Promise<Heatmap>;
  check(relation: string): Promise<DriftPartition[]>;
  release(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition>;
  drop(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition>;
  markValid(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition>;
  /** Newest first; `cursor`: the id of the last event of a previous page. */
  events(relation: string, options?: { partition?: string; limit?: number; cursor?: string }): Promise<DriftEvent[]>;
  /** Flagged, undecided partitions across relations, newest first (the Overview's alerts); `cursor`: the last alert of a previous page. */
  alerts(options?: { limit?: number; cursor?: { relation: string; partition: string } }): Promise<DriftPartition[]>;
}
