import type { Totals } from '../rollups/aggregate.js';
import type { RollupReader } from '../rollups/reader.js';
import { bucketEdges, BUCKET_MS, ZoneClock, type BucketSize } from './buckets.js';
import { usdFromNanoSum, type TimeRange } from './range.js';

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

export type TimeseriesQuery = (range: TimeRange, bucket: BucketSize, timeZone: string) => Timeseries;

export function createTimeseriesQuery(rollups: RollupReader): TimeseriesQuery {
  // One range aggregate per bucket: edges come from the zone's calendar (DST-aware), every bucket
  // gets a point (zero-filled for free), and the total work is still one pass over the range. Each
  // bucket is its whole slots from the rollups plus any odd edges from raw rows: sums stay exact.
  return (range, bucket, timeZone) => {
    const edges = bucketEdges(range, bucket, new ZoneClock(timeZone));
    const totalsOf = (r: TimeRange): Totals | undefined => rollups.aggregate(r, 'all', false).groups.get(null);
    const points: TimeseriesPoint[] = [];
    for (const [i, from] of edges.entries()) {
      const to = edges[i + 1];
      if (to === undefined) break;
      const t = totalsOf({ from, to });
      points.push({
        t: from,
        requests: t?.requests ?? 0,
        errors: t?.errors ?? 0,
        prompt_tokens: t?.prompt_tokens ?? 0,
        completion_tokens: t?.completion_tokens ?? 0,
        cost_usd: usdFromNanoSum(t?.cost_nano_usd ?? null),
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
