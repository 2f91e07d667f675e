import { z } from 'zod';
import type { Db } from '../ledger/open.js';
import { createQuotasRepo } from '../ledger/quotas.js';
import { localDateTime } from './format.js';
import { QUOTA_METRICS, QUOTA_PERIODS } from './schema.js';
import { quotaState, type QuotaState } from './state.js';
import { createUsageQuery } from './usage.js';

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

/** Prepared once per server; read on each get_usage call. */
export function createQuotaReader(db: Db): (now: number) => QuotaState[] {
  const quotas = createQuotasRepo(db);
  const usage = createUsageQuery(db);
  return (now) => quotas.list().map((quota) => quotaState(quota, usage, now));
}

const figure = (s: QuotaState, value: number): string =>
  s.metric === 'cost'
    ? `$${value.toFixed(value > 0 && value < 1 ? 4 : 2)}`
    : `${value.toLocaleString('en-US')} ${s.metric}`;

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
