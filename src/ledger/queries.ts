/**
 * Read-side queries over the calls ledger: summaries, time series, breakdowns, call pages, error
 * groups and the incremental feed behind /metrics. Statements are prepared once per
 * createQueries() call, so build one per app and reuse it.
 */
import type { Db } from './open.js';
import { createBreakdownQuery, type BreakdownQuery } from './queries/breakdown.js';
import { createCallQueries, type CallQueries } from './queries/calls.js';
import { createMetricQueries, type MetricQueries } from './queries/metrics.js';
import { createRollupReader } from './rollups/reader.js';
import { createSummaryQuery, type SummaryQuery } from './queries/summary.js';
import { createTimeseriesQuery, type TimeseriesQuery } from './queries/timeseries.js';

export type { TimeRange } from './queries/range.js';
export { nearestRank } from './queries/range.js';
export type { Summary, Percentiles } from './queries/summary.js';
export type { Timeseries, TimeseriesPoint } from './queries/timeseries.js';
export {
  BREAKDOWN_DIMENSIONS,
  type Breakdown,
  type BreakdownDimension,
  type BreakdownRow,
} from './queries/breakdown.js';
export type { CallFilter, CallPage, ErrorGroup } from './queries/calls.js';
export type { MetricSourceRow } from './queries/metrics.js';
export {
  BUCKET_SIZES,
  BUCKET_MS,
  MAX_BUCKETS,
  chooseBucket,
  bucketEdges,
  ZoneClock,
  type BucketSize,
} from './queries/buckets.js';

export interface LedgerQueries {
  summary: SummaryQuery;
  timeseries: TimeseriesQuery;
  breakdown: BreakdownQuery;
  calls: CallQueries;
  metrics: MetricQueries;
}

export function createQueries(db: Db): LedgerQueries {
  const rollups = createRollupReader(db);
  return {
    summary: createSummaryQuery(db, rollups),
    timeseries: createTimeseriesQuery(rollups),
    breakdown: createBreakdownQuery(rollups),
    calls: createCallQueries(db),
    metrics: createMetricQueries(db),
  };
}
