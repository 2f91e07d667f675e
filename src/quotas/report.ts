import { z } from 'zod';
import { appliedTo } from '../ledger/quota-usage.js';
import type { LedgerStore, Quota, SessionSummary } from '../ledger/store.js';
import { localDateTime } from './format.js';
import { formatUsd } from '../usage-format.js';
import { QUOTA_METRICS, QUOTA_PERIODS } from './schema.js';
import { periodWindow, quotaState, type QuotaState } from './state.js';

/** One quota's state in get_usage's structured output. */
export const quotaStateSchema = z.object({
  name: z.string(),
  scope: z
    .string()
    .describe(
      "global, session (each session separately; session=… for the caller's own), or model=…, tool=…, client=…, provider=…",
    ),
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

/**
 * Every quota with its current period's figures: get_usage, `quota list`, /api/quotas. A session
 * quota is shown for `session` (the caller's own, in get_usage), else for the session that has
 * used the most of it this period ("session=…"), so a list shows how close the nearest one is.
 */
export async function readQuotaStates(
  store: LedgerStore,
  now: number,
  session: string | null = null,
): Promise<QuotaState[]> {
  const quotas = await store.quotas.list();
  return Promise.all(quotas.map((quota) => readQuotaState(store, quota, now, session)));
}

/** Sessions compared at most; the most expensive of a period's sessions come first. */
const SESSIONS_COMPARED = 500;

function amountOf(metric: Quota['metric'], s: SessionSummary): number {
  if (metric === 'cost') return s.cost_usd;
  if (metric === 'tokens') return s.prompt_tokens + s.completion_tokens;
  return metric === 'requests' ? s.requests - s.blocked : s.images;
}

/** The session that has used the most of a session quota's metric this period; null when none has calls. */
async function busiestSession(store: LedgerStore, quota: Quota, now: number): Promise<string | null> {
  const window = periodWindow(quota, now);
  const sessions = await store.sessions.list({ from: window.start, to: window.end }, SESSIONS_COMPARED);
  let busiest: SessionSummary | undefined;
  for (const s of sessions) if (!busiest || amountOf(quota.metric, s) > amountOf(quota.metric, busiest)) busiest = s;
  return busiest?.session ?? null;
}

/** One quota's figures for the period around `now` (a session quota's as readQuotaStates shows them). */
export async function readQuotaState(
  store: LedgerStore,
  quota: Quota,
  now: number,
  session: string | null = null,
): Promise<QuotaState> {
  const shown = quota.scope === 'session' ? (session ?? (await busiestSession(store, quota, now))) : null;
  const applied = shown === null ? quota : appliedTo(quota, { session: shown });
  return quotaState(applied, await store.queries.quotaUsage(applied, periodWindow(applied, now)), now);
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
