/**
 * The usage view's data: every ledger read behind show_usage and its view goes through this one
 * module, using the same queries as the dashboard API (summary, timeseries, breakdown,
 * calls.errors) and get_usage's quota states, so the view never aggregates on its own.
 */
import { z } from 'zod';
import { BREAKDOWN_DIMENSIONS, chooseBucket, type BreakdownDimension } from '../ledger/store.js';
import { quotaStateSchema, readQuotaStates } from '../quotas/report.js';
import type { QuotaState } from '../quotas/state.js';
import { parseSince } from '../time.js';
import type { ServerDeps } from './deps.js';

/** Bars per group: the view shows the top few, the rest are summed by the totals above them. */
const TOP_ROWS = 6;
const ERROR_ROWS = 5;
/** The chart never spans more than this, so `since: all` stays a readable day-by-day line. */
const MAX_SERIES_MS = 90 * 86_400_000;

const barSchema = z.object({
  key: z.string().nullable().describe('null: calls with no value, e.g. no client name'),
  requests: z.number(),
  errors: z.number(),
  tokens: z.number(),
  cost_usd: z.number(),
});

export const usageViewSchema = {
  period: z.string().describe('the `since` asked for, e.g. today'),
  since: z.string(),
  until: z.string(),
  time_zone: z.string(),
  totals: z.object({
    requests: z.number(),
    errors: z.number(),
    blocked: z.number(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    total_tokens: z.number(),
    cost_usd: z.number(),
    unpriced_calls: z.number(),
  }),
  series: z.object({
    bucket: z.string(),
    from: z.string().describe('start of the chart; at most 90 days back'),
    points: z.array(z.object({ t: z.number(), cost_usd: z.number(), requests: z.number(), tokens: z.number() })),
  }),
  groups: z.array(z.object({ by: z.enum(BREAKDOWN_DIMENSIONS), rows: z.array(barSchema) })),
  quotas: z.array(quotaStateSchema),
  balance_usd: z.number().nullable().describe('account balance when known; null when no balance source exists'),
  errors: z.array(
    z.object({
      status: z.string(),
      error_type: z.string().nullable(),
      http_status: z.number().nullable(),
      count: z.number(),
      last_at: z.string(),
      last_message: z.string().nullable(),
    }),
  ),
  dashboard_url: z.string().nullable().describe('the full dashboard, when the sidecar answers'),
};

export type UsageView = Omit<z.infer<z.ZodObject<typeof usageViewSchema>>, 'quotas'> & { quotas: QuotaState[] };

export interface UsageViewRequest {
  since: string;
  by: BreakdownDimension;
}

/** `by` first, then models and clients (the view always shows those two). */
function groupsFor(by: BreakdownDimension): BreakdownDimension[] {
  return [...new Set<BreakdownDimension>([by, 'model', 'client'])];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Each call reads one view model from the store. `dashboardUrl` says
 * where the sidecar answers, if it does (it is not ledger data, so it is passed in).
 */
export function createUsageViewData(deps: ServerDeps, dashboardUrl: () => Promise<string | null>) {
  const queries = deps.store.queries;
  return async (request: UsageViewRequest): Promise<UsageView> => {
    const now = (deps.clock ?? Date.now)();
    const tz = deps.config.timeZone;
    const range = { from: parseSince(request.since, now, tz), to: now + 1 };
    const seriesRange = { from: Math.max(range.from, range.to - MAX_SERIES_MS), to: range.to };
    const [summary, series, breakdowns, errors, quotas] = await Promise.all([
      queries.summary(range),
      queries.timeseries(seriesRange, chooseBucket(seriesRange.to - seriesRange.from), tz),
      Promise.all(groupsFor(request.by).map(async (by) => ({ by, rows: (await queries.breakdown(range, by)).rows }))),
      queries.errors(range),
      readQuotaStates(deps.store, now),
    ]);
    return {
      period: request.since,
      since: iso(range.from),
      until: iso(range.to),
      time_zone: tz,
      totals: {
        requests: summary.requests,
        errors: summary.errors,
        blocked: summary.blocked,
        prompt_tokens: summary.prompt_tokens,
        completion_tokens: summary.completion_tokens,
        total_tokens: summary.total_tokens,
        cost_usd: summary.cost_usd,
        unpriced_calls: summary.unpriced_calls,
      },
      series: {
        bucket: series.bucket,
        from: iso(series.from),
        points: series.points.map((p) => ({
          t: p.t,
          cost_usd: p.cost_usd,
          requests: p.requests,
          tokens: p.prompt_tokens + p.completion_tokens,
        })),
      },
      groups: breakdowns.map(({ by, rows }) => ({
        by,
        rows: [...rows]
          .sort((a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests)
          .slice(0, TOP_ROWS)
          .map((row) => ({
            key: row.key,
            requests: row.requests,
            errors: row.errors,
            tokens: row.prompt_tokens + row.completion_tokens,
            cost_usd: row.cost_usd,
          })),
      })),
      quotas,
      balance_usd: null,
      errors: [...errors]
        .sort((a, b) => b.last_ts - a.last_ts)
        .slice(0, ERROR_ROWS)
        .map((group) => ({
          status: group.status,
          error_type: group.error_type,
          http_status: group.http_status,
          count: group.count,
          last_at: iso(group.last_ts),
          last_message: group.last_message,
        })),
      dashboard_url: await dashboardUrl(),
    };
  };
}

/** show_usage's arguments (and the view's refresh): the period like get_usage, a breakdown dimension. */
export const usageViewInput = {
  since: z
    .string()
    .default('today')
    .describe('today, week, month, all, a duration like 24h or 7d, or a date like 2025-06-01'),
  by: z.enum(BREAKDOWN_DIMENSIONS).default('model').describe('the first group of bars; models and clients always show'),
};
