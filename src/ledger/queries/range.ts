import { usdFromNano } from '../calls.js';

/** A half-open time window [from, to) in ms since the Unix epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Nearest-rank position (1-based) of the p-th percentile among n sorted values. */
export function nearestRank(percent: number, n: number): number {
  // Integer percent keeps percent * n exact, so ceil() never rounds 19.000000000000004 up to 20.
  return Math.max(1, Math.ceil((percent * n) / 100));
}

/** SUM() over no priced rows is NULL: that is $0 of priced cost, reported beside unpriced_calls. */
export function usdFromNanoSum(nano: number | null): number {
  return nano === null ? 0 : usdFromNano(nano);
}
