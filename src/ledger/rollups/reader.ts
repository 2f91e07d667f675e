/**
 * Range aggregates answered from rollups for the whole slots (quarter hours or hours, see SLOT_MS)
 * inside a range and from raw calls for the partial slots at either end. Any range or time-series
 * bucket splits that way, so buckets in zones with DST or :30 offsets stay exact. Sums are exact;
 * percentiles come from the slots' histograms and are approximate. Engines implement the reader.
 */
import type { TimeRange } from '../queries/range.js';
import type { AggregateMap, RollupDim } from './aggregate.js';

const HOUR_MS = 3_600_000;
/**
 * Percentiles over ranges up to a day stay exact, from every value (tens of thousands of rows,
 * well under the latency target); longer ranges read them from the rollups' histograms.
 */
export const ROLLUP_MIN_SPAN_MS = 24 * HOUR_MS;

export interface RollupReader {
  /** Whether percentiles over range come from the rollups' histograms rather than every value. */
  approximates(range: TimeRange): boolean;
  /**
   * Per-key sums over range, exact: whole slots from the rollups (brought up to date first), the
   * rest from raw rows. Histograms only when asked (they cost a parse per rollup row).
   */
  aggregate(range: TimeRange, dim: RollupDim, histograms: boolean): AggregateMap;
  /** [key, duration] of every timed call in range, for exact per-key percentiles. */
  rawLatencies(range: TimeRange, dim: RollupDim): KeyedValue[];
}

export type KeyedValue = [key: string | null, ms: number];

interface Split {
  slots: TimeRange | null;
  raw: TimeRange[];
}

/** The whole slots inside range, plus what is left at either end. */
export function splitRange({ from, to }: TimeRange, slotMs: number): Split {
  const s0 = Math.ceil(from / slotMs) * slotMs;
  const s1 = Math.floor(to / slotMs) * slotMs;
  if (s0 >= s1) return { slots: null, raw: from < to ? [{ from, to }] : [] };
  const raw = [
    { from, to: s0 },
    { from: s1, to },
  ].filter((r) => r.from < r.to);
  return { slots: { from: s0, to: s1 }, raw };
}
