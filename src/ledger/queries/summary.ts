import type { Db } from '../open.js';
import { SQL, nearestRank, usdFromMicroSum, type TimeRange } from './range.js';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface Summary {
  from: number;
  to: number;
  requests: number;
  ok: number;
  errors: number;
  blocked: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  unpriced_calls: number;
  estimated_calls: number;
  /** errors / requests; null when there were no requests. */
  error_rate: number | null;
  retries: number;
  latency_ms: Percentiles;
  ttft_ms: Percentiles;
}

interface Totals {
  requests: number;
  ok: number | null;
  errors: number | null;
  blocked: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_micro_usd: number | null;
  unpriced_calls: number | null;
  estimated_calls: number | null;
  retries: number | null;
}

type RangeParams = [TimeRange];

export type SummaryQuery = (range: TimeRange) => Summary;

export function createSummaryQuery(db: Db): SummaryQuery {
  const totals = db.prepare<RangeParams, Totals>(`
    SELECT COUNT(*) AS requests,
           SUM(status = 'ok') AS ok,
           SUM(status = 'error') AS errors,
           SUM(status = 'blocked') AS blocked,
           SUM(prompt_tokens) AS prompt_tokens,
           SUM(completion_tokens) AS completion_tokens,
           SUM(cost_micro_usd) AS cost_micro_usd,
           SUM(${SQL.unpriced}) AS unpriced_calls,
           SUM(usage_estimated) AS estimated_calls,
           SUM(retries) AS retries
      FROM calls WHERE ${SQL.inRange}`);
  // Exact nearest-rank: fetch the range's values from the covering index and sort them as a
  // Float64Array. Measured on 1M rows this beat letting SQLite sort with LIMIT 1 OFFSET k (four
  // sorts) by 3–4x for both 24h and 30d ranges.
  const latencies = db.prepare<[TimeRange], number>(`SELECT duration_ms FROM calls WHERE ${SQL.inRange} AND ${SQL.timed}`).pluck();
  const ttfts = db.prepare<[TimeRange], number>(`SELECT ttft_ms FROM calls WHERE ${SQL.inRange} AND ttft_ms IS NOT NULL`).pluck();

  const percentiles = (values: number[]): Percentiles => {
    if (values.length === 0) return { p50: null, p95: null };
    const sorted = Float64Array.from(values).sort();
    const at = (percent: number) => sorted[nearestRank(percent, sorted.length) - 1] ?? null;
    return { p50: at(50), p95: at(95) };
  };

  return (range) => {
    const t = totals.get(range);
    const requests = t?.requests ?? 0;
    const errors = t?.errors ?? 0;
    const prompt = t?.prompt_tokens ?? 0;
    const completion = t?.completion_tokens ?? 0;
    return {
      from: range.from,
      to: range.to,
      requests,
      ok: t?.ok ?? 0,
      errors,
      blocked: t?.blocked ?? 0,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      cost_usd: usdFromMicroSum(t?.cost_micro_usd ?? null),
      unpriced_calls: t?.unpriced_calls ?? 0,
      estimated_calls: t?.estimated_calls ?? 0,
      error_rate: requests === 0 ? null : errors / requests,
      retries: t?.retries ?? 0,
      latency_ms: percentiles(latencies.all(range)),
      ttft_ms: percentiles(ttfts.all(range)),
    };
  };
}
