import { emptyAggregate, type Totals } from '../rollups/aggregate.js';
import { histogramPercentile, type Histogram } from '../rollups/histogram.js';
import type { RollupReader } from '../rollups/reader.js';
import { nearestRank, usdFromNanoSum, type TimeRange } from './range.js';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  /** Set on ranges over a day: read from the rollups' log-spaced histograms, within ~9%. */
  approximate?: true;
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

export type SummaryQuery = (range: TimeRange) => Summary;

/** Exact percentiles for ranges the rollups do not approximate; histograms for the rest. */
export function summaryFrom(
  range: TimeRange,
  rollups: RollupReader,
  exact: (range: TimeRange) => { latencies: number[]; ttfts: number[] },
): Summary {
  const approximate = rollups.approximates(range);
  const all = rollups.aggregate(range, 'all', approximate).groups.get(null) ?? emptyAggregate(null);
  if (approximate) return summaryOf(range, all, histogramPercentiles(all.latency), histogramPercentiles(all.ttft));
  const { latencies, ttfts } = exact(range);
  return summaryOf(range, all, exactPercentiles(latencies), exactPercentiles(ttfts));
}

export function exactPercentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: null, p95: null };
  const sorted = Float64Array.from(values).sort();
  const at = (percent: number) => sorted[nearestRank(percent, sorted.length) - 1] ?? null;
  return { p50: at(50), p95: at(95) };
}

export function histogramPercentiles(h: Histogram): Percentiles {
  return { p50: histogramPercentile(h, 50), p95: histogramPercentile(h, 95), approximate: true };
}

export function summaryOf(range: TimeRange, t: Totals, latency_ms: Percentiles, ttft_ms: Percentiles): Summary {
  return {
    from: range.from,
    to: range.to,
    requests: t.requests,
    ok: t.ok,
    errors: t.errors,
    blocked: t.blocked,
    prompt_tokens: t.prompt_tokens,
    completion_tokens: t.completion_tokens,
    total_tokens: t.prompt_tokens + t.completion_tokens,
    cost_usd: usdFromNanoSum(t.cost_nano_usd),
    unpriced_calls: t.unpriced,
    estimated_calls: t.estimated,
    error_rate: t.requests === 0 ? null : t.errors / t.requests,
    retries: t.retries,
    latency_ms,
    ttft_ms,
  };
}
