import type { Db } from '../ledger/open.js';
import type { Quota } from '../ledger/quotas.js';
import type { QuotaMetric, ScopeKind } from './schema.js';

/** The fields of a call a quota's scope can select on. */
export interface CallSubject {
  model: string;
  tool: string;
  client: string | null;
  provider: string;
}

export function matchesScope(quota: Pick<Quota, 'scope' | 'scope_value'>, subject: CallSubject): boolean {
  switch (quota.scope) {
    case 'global':
      return true;
    case 'model':
      return subject.model === quota.scope_value;
    case 'tool':
      return subject.tool === quota.scope_value;
    case 'client':
      return subject.client === quota.scope_value;
    case 'provider':
      return subject.provider === quota.scope_value;
  }
}

/** Totals in each metric's integer unit (micro-USD for cost). */
export type MetricTotals = Record<QuotaMetric, number>;

interface Window {
  start: number;
  end: number;
}

// Blocked rows never reached the upstream, so they use nothing; failed calls did and count as requests.
const TOTALS = `COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens, COALESCE(SUM(cost_micro_usd), 0) AS cost,
  COUNT(*) AS requests, COALESCE(SUM(images), 0) AS images`;
const COUNTED = `status != 'blocked' AND ts >= @start AND ts < @end`;

/**
 * Each scope's WHERE clause leads with the column of an index from migrations (calls_ts,
 * calls_tool_ts, calls_client_ts, calls_model_ts, calls_provider_ts), so a check is a range scan
 * over one period of one scope, never a table scan.
 */
const SQL: Record<ScopeKind, string> = {
  global: `SELECT ${TOTALS} FROM calls WHERE ${COUNTED}`,
  tool: `SELECT ${TOTALS} FROM calls WHERE tool = @value AND ${COUNTED}`,
  client: `SELECT ${TOTALS} FROM calls WHERE client = @value AND ${COUNTED}`,
  provider: `SELECT ${TOTALS} FROM calls WHERE provider = @value AND ${COUNTED}`,
  // A call counts for the model that answered it; one that failed before any model answered counts
  // for the model it asked for. Two range scans on (model_used, ts), since model_used IS NULL is indexable too.
  model: `SELECT ${TOTALS} FROM (
      SELECT prompt_tokens, completion_tokens, cost_micro_usd, images FROM calls WHERE model_used = @value AND ${COUNTED}
      UNION ALL
      SELECT prompt_tokens, completion_tokens, cost_micro_usd, images FROM calls WHERE model_used IS NULL AND model_requested = @value AND ${COUNTED})`,
};

export type UsageQuery = (quota: Pick<Quota, 'scope' | 'scope_value'>, window: Window) => MetricTotals;

/** Prepares the per-scope statements once; the returned function runs on every guarded call. */
export function createUsageQuery(db: Db): UsageQuery {
  const statements = new Map(
    Object.entries(SQL).map(([scope, sql]) => [scope, db.prepare<[Record<string, string | number | null>], MetricTotals>(sql)]),
  );
  return (quota, window) => {
    const statement = statements.get(quota.scope);
    if (!statement) throw new Error(`unknown quota scope ${quota.scope}`);
    // better-sqlite3 refuses named parameters the statement does not use, so global gets no @value.
    const params: Record<string, string | number | null> = { start: window.start, end: window.end };
    if (quota.scope !== 'global') params.value = quota.scope_value;
    return statement.get(params) ?? { tokens: 0, cost: 0, requests: 0, images: 0 };
  };
}

/** The SQL behind a scope, for EXPLAIN QUERY PLAN in tests. */
export const usageSql = (scope: ScopeKind): string => SQL[scope];
