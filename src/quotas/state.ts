import { fromAmount, type MetricTotals, type Quota } from '../ledger/store.js';
import { periodEnd, periodStart } from '../time.js';
import { formatScope, type QuotaMetric } from './schema.js';

export interface PeriodWindow {
  start: number;
  end: number;
}

/** The quota's current period around `ts`, counted in the quota's own zone. */
export const periodWindow = (quota: Pick<Quota, 'period' | 'time_zone'>, ts: number): PeriodWindow => ({
  start: periodStart(ts, quota.period, quota.time_zone),
  end: periodEnd(ts, quota.period, quota.time_zone),
});

/** What get_usage, `quota list`, /api/quotas and the dashboard show for one quota. */
export interface QuotaState {
  name: string;
  scope: string;
  metric: QuotaMetric;
  unit: 'USD' | 'tokens' | 'requests' | 'images';
  period: Quota['period'];
  time_zone: string;
  hard: boolean;
  thresholds: number[];
  limit: number;
  used: number;
  percent: number;
  /** Usage at the end of the period if it goes on at this period's average rate so far. */
  forecast: number;
  forecast_percent: number;
  period_start: string;
  resets_at: string;
}

const UNITS = { cost: 'USD', tokens: 'tokens', requests: 'requests', images: 'images' } as const;

/**
 * Straight-line forecast: the average rate since the period began, carried to its end. The
 * elapsed time is taken as at least 1/24 of the period, so the first minutes of a day do not turn
 * one call into an absurd projection.
 */
export function forecastAmount(usedAmount: number, window: PeriodWindow, now: number): number {
  const length = window.end - window.start;
  const elapsed = Math.min(length, Math.max(now - window.start, length / 24));
  if (elapsed <= 0) return usedAmount;
  return Math.round(usedAmount * (length / elapsed));
}

const percentOf = (amount: number, limit: number): number => Math.round((amount / limit) * 1000) / 10;

/** One quota's figures, from what its scope used in the period around `now`. */
export function quotaState(quota: Quota, used: MetricTotals, now: number): QuotaState {
  const window = periodWindow(quota, now);
  const usedAmount = used[quota.metric];
  const forecast = forecastAmount(usedAmount, window, now);
  return {
    name: quota.name,
    scope: formatScope({ kind: quota.scope, value: quota.scope_value }),
    metric: quota.metric,
    unit: UNITS[quota.metric],
    period: quota.period,
    time_zone: quota.time_zone,
    hard: quota.hard,
    thresholds: quota.thresholds,
    limit: fromAmount(quota.metric, quota.limit_amount),
    used: fromAmount(quota.metric, usedAmount),
    percent: percentOf(usedAmount, quota.limit_amount),
    forecast: fromAmount(quota.metric, forecast),
    forecast_percent: percentOf(forecast, quota.limit_amount),
    period_start: new Date(window.start).toISOString(),
    resets_at: new Date(window.end).toISOString(),
  };
}
