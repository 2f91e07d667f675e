/**
 * Range aggregates computed inside PostgreSQL, many ranges per statement, and a RollupReader over
 * them: the engine-neutral query builders (src/ledger/queries) read synchronously, so the engine
 * loads what a request needs first and hands them this snapshot. Sums are exact; histograms are
 * counted per bucket in SQL with the very bucket edges bucketOf() draws, so they equal the SQLite
 * engine's bucket for bucket.
 */
import type pg from 'pg';
import type { TimeRange } from '../queries/range.js';
import { AggregateMap, TOTAL_FIELDS, type RollupDim, type Totals } from '../rollups/aggregate.js';
import { bucketOf, HISTOGRAM_BUCKETS } from '../rollups/histogram.js';
import { ROLLUP_MIN_SPAN_MS, type KeyedValue, type RollupReader } from '../rollups/reader.js';
import { PG_DIM_KEY_SQL, PG_SQL, PG_TOTALS_SQL } from './sql.js';

/** The histograms a request reads: a breakdown's medians need only latency's, a summary both. */
export type HistogramKind = 'latency' | 'ttft';

export type RangeAggregates = (
  ranges: readonly TimeRange[],
  dim: RollupDim,
  histograms: readonly HistogramKind[],
) => Promise<AggregateMap[]>;

/** Where sorted, disjoint ranges are summed from: raw calls rows, or whole rollup slots. */
export type AggregateSource = 'calls' | 'rollups';
export type PartAggregates = (source: AggregateSource, ...args: Parameters<RangeAggregates>) => Promise<AggregateMap[]>;

/** A piece of the i-th requested range. */
export interface Part {
  i: number;
  range: TimeRange;
}

/**
 * Sorted parts grouped into runs whose gaps are at most maxGapMs: each run is read by one scan over
 * its span, so a gap inside a run costs its rows, and a run boundary costs a statement.
 */
export function adjacentRuns(parts: readonly Part[], maxGapMs: number): Part[][] {
  const runs: Part[][] = [];
  let run: Part[] = [];
  for (const part of parts) {
    const last = run[run.length - 1];
    if (last && part.range.from - last.range.to > maxGapMs) {
      runs.push(run);
      run = [];
    }
    run.push(part);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

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

/**
 * The ranges are sorted and disjoint (a request's range, or its time-series buckets): one index
 * range scan over their whole span, each row placed in its range by width_bucket over the starts
 * and dropped when it falls in a gap between ranges. ($1 starts, $2 ends, $3 the span's start and
 * end.) A join against unnest() instead made the planner scan the whole table.
 */
const inParts = (column: string) => {
  const part = `width_bucket(${column}, $1::bigint[])`;
  return {
    part,
    where: `${column} >= ($3::bigint[])[1] AND ${column} < ($3::bigint[])[2] AND ${column} < ($2::bigint[])[${part}]`,
  };
};

const RAW = inParts('ts');
const SLOTS = inParts('start_ms');
const rawTotalsSql = (dim: RollupDim) =>
  `SELECT ${RAW.part} AS i, ${PG_DIM_KEY_SQL[dim]} AS key, ${PG_TOTALS_SQL} FROM calls WHERE ${RAW.where} GROUP BY 1, 2`;
const rawHistSql = (dim: RollupDim, kinds: readonly HistogramKind[]) =>
  kinds
    .map((kind) => {
      const column = kind === 'latency' ? 'duration_ms' : 'ttft_ms';
      const timed = kind === 'latency' ? PG_SQL.timed : 'ttft_ms IS NOT NULL';
      return `SELECT ${RAW.part} AS i, ${PG_DIM_KEY_SQL[dim]} AS key, '${kind}' AS kind,
                     width_bucket(${column}, $4::bigint[]) AS bucket, COUNT(*) AS n
                FROM calls WHERE ${RAW.where} AND ${timed} GROUP BY 1, 2, 4`;
    })
    .join(' UNION ALL ');
// $4 is the dimension here and $5 the kinds; their values are ours (ROLLUP_DIMS), bound all the same.
const SLOT_TOTALS_SQL = `SELECT ${SLOTS.part} AS i, key, ${TOTAL_FIELDS.map((f) => `SUM(${f}) AS ${f}`).join(', ')}
  FROM call_rollups WHERE dim = $4 AND ${SLOTS.where} GROUP BY 1, 2`;
const SLOT_HIST_SQL = `SELECT ${SLOTS.part} AS i, key, kind, bucket, SUM(n) AS n
  FROM call_rollup_hist WHERE dim = $4 AND kind = ANY($5::text[]) AND ${SLOTS.where} GROUP BY 1, 2, 3, 4`;

type TotalsRow = Totals & { i: number; key: string | null };
interface HistRow {
  i: number;
  key: string | null;
  kind: HistogramKind;
  bucket: number;
  n: number;
}

/** Sums over ranges from raw calls rows (through the covering index calls_ts_stats) or from whole rollup slots. */
export function createPartAggregates(pool: pg.Pool): PartAggregates {
  const lower = histogramLowerBounds();
  return async (source, ranges, dim, kinds) => {
    const maps = ranges.map(() => new AggregateMap());
    if (ranges.length === 0) return maps;
    const starts = ranges.map((r) => r.from);
    const ends = ranges.map((r) => r.to);
    const bounds = [starts, ends, [Math.min(...starts), Math.max(...ends)]];
    const at = (i: number) => maps[i - 1] ?? new AggregateMap();
    const histograms = kinds.length > 0;
    const [totals, hist] = await Promise.all(
      source === 'calls'
        ? [
            pool.query<TotalsRow>(rawTotalsSql(dim), bounds),
            histograms ? pool.query<HistRow>(rawHistSql(dim, kinds), [...bounds, lower]) : null,
          ]
        : [
            pool.query<TotalsRow>(SLOT_TOTALS_SQL, [...bounds, dim]),
            histograms ? pool.query<HistRow>(SLOT_HIST_SQL, [...bounds, dim, kinds]) : null,
          ],
    );
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
