import { z } from 'zod';
import type { LedgerStore, Quota } from '../ledger/store.js';
import { localDateTime } from './format.js';
import { formatUsd } from '../usage-format.js';
import { QUOTA_METRICS, QUOTA_PERIODS } from './schema.js';
import { periodWindow, quotaState, type QuotaState } from './state.js';

/** One quota's state in get_usage's structured output. */
export const quotaStateSchema = z.object({
  name: z.string(),
  scope: z.string().describe('global, or model=…, tool=…, client=…, provider=…'),
  metric: z.enum(QUOTA_METRICS),
  unit: z.string(),
  period: z.enum(QUOTA_PERIODS),
  time_zone: z.string(),
  hard: z.boolean().describe('true: calls that would pass the limit are refused'),
  thresholds: z.array(z.number()),
  limit: z.number(),
  used: z.number(),
  percent: z.number(),
  forecast: z.number().describe('usage at the end of the period at the rate so far'),
  forecast_percent: z.number(),
  period_start: z.string(),
  resets_at: z.string(),
});

/** Every quota with its current period's figures: get_usage, `quota list`, /api/quotas. */
export async function readQuotaStates(store: LedgerStore, now: number): Promise<QuotaState[]> {
  return Promise.all((await store.quotas.list()).map((quota) => readQuotaState(store, quota, now)));
}

/** One quota's figures for the period around `now`. */
export async function readQuotaState(store: LedgerStore, quota: Quota, now: number): Promise<QuotaState> {
  return quotaState(quota, await store.queries.quotaUsage(quota, periodWindow(quota, now)), now);
}

const figure = (s: QuotaState, value: number): string =>
  s.metric === 'cost' ? formatUsd(value) : `${value.toLocaleString('en-US')} ${s.metric}`;

/** Plain lines for MCP text content: what an agent needs to pace itself. */
export function formatQuotaLines(states: readonly QuotaState[]): string {
  if (states.length === 0) return 'No quotas are set (add one with `cometapi-mcp quota set`).';
  const lines = states.map(
    (s) =>
      `- ${s.name} (${s.scope}, ${s.metric} per ${s.period}, ${s.hard ? 'hard' : 'soft'}): ${figure(s, s.used)} of ${figure(s, s.limit)} ` +
      `(${s.percent}%), forecast ${figure(s, s.forecast)} (${Math.round(s.forecast_percent)}%); resets ${localDateTime(Date.parse(s.resets_at), s.time_zone)} ${s.time_zone}`,
  );
  return ['Quotas this period:', ...lines].join('\n');
}
