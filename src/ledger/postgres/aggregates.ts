/**
 * Range aggregates computed inside PostgreSQL, many ranges per statement, and a RollupReader over
 * them: the engine-neutral query builders (src/ledger/queries) read synchronously, so the engine
 * loads what a request needs first and hands them this snapshot. Sums are exact; histograms are
 * counted per bucket in SQL with the very bucket edges bucketOf() draws, so they equal the SQLite
 * engine's bucket for bucket.
 */
import type pg from 'pg';
import type { TimeRange } from '../queries/range.js';
import { AggregateMap, type RollupDim, type Totals } from '../rollups/aggregate.js';
import { bucketOf, HISTOGRAM_BUCKETS } from '../rollups/histogram.js';
import { ROLLUP_MIN_SPAN_MS, type KeyedValue, type RollupReader } from '../rollups/reader.js';
import { PG_DIM_KEY_SQL, PG_SQL, PG_TOTALS_SQL } from './sql.js';

export type RangeAggregates = (
  ranges: readonly TimeRange[],
  dim: RollupDim,
  histograms: boolean,
) => Promise<AggregateMap[]>;

/** Whether percentiles over range come from histograms (as the SQLite engine decides it). */
export const approximates = (range: TimeRange): boolean => range.to - range.from > ROLLUP_MIN_SPAN_MS;

/** lower[i - 1] is the least whole ms in histogram bucket i or above: width_bucket(ms, lower) = bucketOf(ms). */
export function histogramLowerBounds(): number[] {
  const bounds: number[] = [];
  for (let i = 1; i < HISTOGRAM_BUCKETS; i++) {
    let lo = bounds[bounds.length - 1] ?? 0;
    let hi = 2 ** 26;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (bucketOf(mid) >= i) hi = mid;
      else lo = mid + 1;
    }
    bounds.push(lo);
  }
  return bounds;
}

const PARTS =
  'unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS p(lo, hi, i) JOIN calls ON ts >= p.lo AND ts < p.hi';

type TotalsRow = Totals & { i: number; key: string | null };
interface HistRow {
  i: number;
  key: string | null;
  kind: 'latency' | 'ttft';
  bucket: number;
  n: number;
}

/** Aggregates straight from calls rows, through the covering index calls_ts_stats. */
export function createRawAggregates(pool: pg.Pool): RangeAggregates {
  const lower = histogramLowerBounds();
  const totalsSql = (dim: RollupDim) =>
    `SELECT p.i, ${PG_DIM_KEY_SQL[dim]} AS key, ${PG_TOTALS_SQL} FROM ${PARTS} GROUP BY 1, 2`;
  const histSql = (dim: RollupDim) =>
    `SELECT p.i, ${PG_DIM_KEY_SQL[dim]} AS key, 'latency' AS kind, width_bucket(duration_ms, $3::bigint[]) AS bucket, COUNT(*) AS n
       FROM ${PARTS} WHERE ${PG_SQL.timed} GROUP BY 1, 2, 4
     UNION ALL
     SELECT p.i, ${PG_DIM_KEY_SQL[dim]} AS key, 'ttft' AS kind, width_bucket(ttft_ms, $3::bigint[]) AS bucket, COUNT(*) AS n
       FROM ${PARTS} WHERE ttft_ms IS NOT NULL GROUP BY 1, 2, 4`;

  return async (ranges, dim, histograms) => {
    const maps = ranges.map(() => new AggregateMap());
    if (ranges.length === 0) return maps;
    const bounds = [ranges.map((r) => r.from), ranges.map((r) => r.to)];
    const at = (i: number) => maps[i - 1] ?? new AggregateMap();
    const [totals, hist] = await Promise.all([
      pool.query<TotalsRow>(totalsSql(dim), bounds),
      histograms ? pool.query<HistRow>(histSql(dim), [...bounds, lower]) : null,
    ]);
    for (const { i, key, ...t } of totals.rows) Object.assign(at(i).get(key), t);
    for (const row of hist?.rows ?? []) at(row.i).get(row.key)[row.kind][row.bucket] = row.n;
    return maps;
  };
}

const rangeKey = (r: TimeRange, dim: RollupDim) => `${dim}:${r.from}:${r.to}`;

export interface Loaded {
  dim: RollupDim;
  ranges: readonly TimeRange[];
  maps: readonly AggregateMap[];
  /** For exact medians: one [key, median] per key (the median of one value is that value). */
  medians?: KeyedValue[];
}

/** A RollupReader answering only what was loaded; asking for anything else is a bug in this engine. */
export function loadedReader(loaded: Loaded): RollupReader {
  const byRange = new Map(loaded.ranges.map((r, i) => [rangeKey(r, loaded.dim), loaded.maps[i]]));
  return {
    approximates,
    aggregate(range, dim) {
      const map = byRange.get(rangeKey(range, dim));
      if (!map) throw new Error(`postgres engine: aggregate ${rangeKey(range, dim)} was not loaded`);
      return map;
    },
    rawLatencies() {
      if (!loaded.medians) throw new Error('postgres engine: latencies were not loaded');
      return loaded.medians;
    },
  };
}
