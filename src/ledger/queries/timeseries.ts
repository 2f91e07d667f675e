import type { Db } from '../open.js';
import { bucketEdges, BUCKET_MS, ZoneClock, type BucketSize } from './buckets.js';
import { SQL, usdFromMicroSum, type TimeRange } from './range.js';

export interface TimeseriesPoint {
  /** Bucket start, ms. */
  t: number;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

export interface Timeseries {
  /** Whole buckets covering the requested range: from <= requested from, to >= requested to. */
  from: number;
  to: number;
  bucket: BucketSize;
  /** Nominal length; day buckets on DST days are an hour shorter or longer, so use each t. */
  bucket_ms: number;
  time_zone: string;
  points: TimeseriesPoint[];
}

interface BucketRow {
  requests: number;
  errors: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_micro_usd: number | null;
}

export type TimeseriesQuery = (range: TimeRange, bucket: BucketSize, timeZone: string) => Timeseries;

export function createTimeseriesQuery(db: Db): TimeseriesQuery {
  // One indexed range aggregate per bucket: edges come from the zone's calendar (DST-aware), every
  // bucket gets a point (zero-filled for free), and the total work is still one pass over the range.
  const bucketTotals = db.prepare<[TimeRange], BucketRow>(`
    SELECT COUNT(*) AS requests,
           SUM(status = 'error') AS errors,
           SUM(prompt_tokens) AS prompt_tokens,
           SUM(completion_tokens) AS completion_tokens,
           SUM(cost_micro_usd) AS cost_micro_usd
      FROM calls WHERE ${SQL.inRange}`);

  return (range, bucket, timeZone) => {
    const edges = bucketEdges(range, bucket, new ZoneClock(timeZone));
    const points: TimeseriesPoint[] = [];
    for (const [i, from] of edges.entries()) {
      const to = edges[i + 1];
      if (to === undefined) break;
      const row = bucketTotals.get({ from, to });
      points.push({
        t: from,
        requests: row?.requests ?? 0,
        errors: row?.errors ?? 0,
        prompt_tokens: row?.prompt_tokens ?? 0,
        completion_tokens: row?.completion_tokens ?? 0,
        cost_usd: usdFromMicroSum(row?.cost_micro_usd ?? null),
      });
    }
    return {
      from: edges[0] ?? range.from,
      to: edges[edges.length - 1] ?? range.to,
      bucket,
      bucket_ms: BUCKET_MS[bucket],
      time_zone: timeZone,
      points,
    };
  };
}
