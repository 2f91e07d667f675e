/**
 * Summary, time series and breakdown: this engine loads the aggregates a request needs (in as few
 * statements as it can), then the engine-neutral builders in src/ledger/queries assemble the
 * answer, so rounding, ordering and null handling are the SQLite engine's by construction.
 */
import type pg from 'pg';
import { createBreakdownQuery, type Breakdown, type BreakdownDimension } from '../queries/breakdown.js';
import { bucketEdges, ZoneClock, type BucketSize } from '../queries/buckets.js';
import type { TimeRange } from '../queries/range.js';
import { histogramPercentiles, summaryOf, type Percentiles, type Summary } from '../queries/summary.js';
import { createTimeseriesQuery, type Timeseries } from '../queries/timeseries.js';
import { emptyAggregate } from '../rollups/aggregate.js';
import type { KeyedValue } from '../rollups/reader.js';
import { approximates, loadedReader, type RangeAggregates } from './aggregates.js';
import { nearestRankSql, PG_DIM_KEY_SQL, PG_SQL } from './sql.js';

export interface RangeQueries {
  summary(range: TimeRange): Promise<Summary>;
  timeseries(range: TimeRange, bucket: BucketSize, timeZone: string): Promise<Timeseries>;
  breakdown(range: TimeRange, by: BreakdownDimension): Promise<Breakdown>;
}

// Exact nearest-rank percentiles picked inside the server from the sorted values, so a day's
// durations never cross the wire; the rank is computed in integers as nearestRank() does.
const percentilesSql = (column: string, where: string) => `
  SELECT v[${nearestRankSql(50, 'cardinality(v)')}] AS p50, v[${nearestRankSql(95, 'cardinality(v)')}] AS p95
    FROM (SELECT array_agg(${column} ORDER BY ${column}) AS v FROM calls WHERE ts >= $1 AND ts < $2 AND ${where}) s`;
const LATENCY_SQL = percentilesSql('duration_ms', PG_SQL.timed);
const TTFT_SQL = percentilesSql('ttft_ms', 'ttft_ms IS NOT NULL');

const mediansSql = (by: BreakdownDimension) => `
  SELECT ${PG_DIM_KEY_SQL[by]} AS key,
         (array_agg(duration_ms ORDER BY duration_ms))[${nearestRankSql(50, 'COUNT(*)')}] AS ms
    FROM calls WHERE ts >= $1 AND ts < $2 AND ${PG_SQL.timed} GROUP BY 1`;

export function createRangeQueries(pool: pg.Pool, aggregates: RangeAggregates): RangeQueries {
  const exact = async (sql: string, range: TimeRange): Promise<Percentiles> => {
    const row = (await pool.query<Percentiles>(sql, [range.from, range.to])).rows[0];
    return { p50: row?.p50 ?? null, p95: row?.p95 ?? null };
  };

  return {
    async summary(range) {
      const approximate = approximates(range);
      const [maps, latency, ttft] = await Promise.all([
        aggregates([range], 'all', approximate ? ['latency', 'ttft'] : []),
        approximate ? null : exact(LATENCY_SQL, range),
        approximate ? null : exact(TTFT_SQL, range),
      ]);
      const all = maps[0]?.groups.get(null) ?? emptyAggregate(null);
      return summaryOf(
        range,
        all,
        latency ?? histogramPercentiles(all.latency),
        ttft ?? histogramPercentiles(all.ttft),
      );
    },

    async timeseries(range, bucket, timeZone) {
      const edges = bucketEdges(range, bucket, new ZoneClock(timeZone));
      const ranges = edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1] ?? from }));
      const maps = await aggregates(ranges, 'all', []);
      return createTimeseriesQuery(loadedReader({ dim: 'all', ranges, maps }))(range, bucket, timeZone);
    },

    async breakdown(range, by) {
      const approximate = approximates(range);
      const [maps, medians] = await Promise.all([
        aggregates([range], by, approximate ? ['latency'] : []),
        approximate
          ? undefined
          : pool.query<{ key: string | null; ms: number }>(mediansSql(by), [range.from, range.to]),
      ]);
      const pairs = medians?.rows.map((r): KeyedValue => [r.key, r.ms]);
      return createBreakdownQuery(loadedReader({ dim: by, ranges: [range], maps, medians: pairs }))(range, by);
    },
  };
}
