/** A half-open time window [from, to) in ms since the Unix epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/** SQL fragments shared by the aggregate queries, so every endpoint counts the same way. */
export const SQL = {
  inRange: 'ts >= @from AND ts < @to',
  /**
   * A call with no price is "unpriced" only if it used something billable: blocked calls and
   * failures that consumed nothing have a NULL cost because there is nothing to price.
   */
  unpriced: "(cost_micro_usd IS NULL AND (status = 'ok' OR prompt_tokens + completion_tokens + images > 0))",
  /** Latency percentiles leave out blocked calls: they never reached the upstream. */
  timed: "(duration_ms IS NOT NULL AND status <> 'blocked')",
  modelKey: 'COALESCE(model_used, model_requested)',
} as const;

/** Nearest-rank position (1-based) of the p-th percentile among n sorted values. */
export function nearestRank(percent: number, n: number): number {
  // Integer percent keeps percent * n exact, so ceil() never rounds 19.000000000000004 up to 20.
  return Math.max(1, Math.ceil((percent * n) / 100));
}

/** SUM() over no priced rows is NULL: that is $0 of priced cost, reported beside unpriced_calls. */
export function usdFromMicroSum(micro: number | null): number {
  return micro === null ? 0 : micro / 1_000_000;
}
