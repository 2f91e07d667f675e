import { QUOTA_METRICS, SCOPE_KINDS, type ScopeKind } from '../../quotas/schema.js';
import { MAX_CACHED_USAGE, type MetricTotals, type QuotaUsageKey, type QuotaWindow } from '../quota-usage.js';
import type { Db } from './open.js';

type Mode = 'full' | 'since';

// Blocked rows never reached the upstream, so they use nothing; failed calls did and count as requests.
const TOTALS = `COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens, COALESCE(SUM(cost_nano_usd), 0) AS cost,
  COUNT(*) AS requests, COALESCE(SUM(images), 0) AS images`;
// In the same statement as the sums, so both come from one snapshot of the ledger.
const MAX_ID = '(SELECT MAX(id) FROM calls) AS max_id';
const COLUMNS = 'prompt_tokens, completion_tokens, cost_nano_usd, images';

/**
 * `full` sums a whole period: each scope's WHERE leads with the column of an index (calls_ts_stats,
 * calls_tool_ts, calls_client_ts, calls_model_ts, calls_provider_ts), a range scan over one period
 * of one scope. `since` sums only rows added after a known id: unary + keeps SQLite off those
 * indexes so it walks the rowid range of the new rows and nothing else.
 */
function usageSqlFor(scope: ScopeKind, mode: Mode): string {
  const col = (name: string) => (mode === 'since' ? `+${name}` : name);
  const counted = `status != 'blocked' AND ${col('ts')} >= @start AND ${col('ts')} < @end${mode === 'since' ? ' AND id > @after' : ''}`;
  switch (scope) {
    case 'global':
      return `SELECT ${TOTALS}, ${MAX_ID} FROM calls WHERE ${counted}`;
    case 'tool':
    case 'client':
    case 'provider':
    case 'session':
      return `SELECT ${TOTALS}, ${MAX_ID} FROM calls WHERE ${col(scope)} = @value AND ${counted}`;
    case 'model':
      // A call counts for the model that answered it; one that failed before any model answered
      // counts for the model it asked for. model_used IS NULL is indexable too.
      return `SELECT ${TOTALS}, ${MAX_ID} FROM (
        SELECT ${COLUMNS} FROM calls WHERE ${col('model_used')} = @value AND ${counted}
        UNION ALL
        SELECT ${COLUMNS} FROM calls WHERE ${col('model_used')} IS NULL AND model_requested = @value AND ${counted})`;
  }
}

export type UsageQuery = (quota: QuotaUsageKey, window: QuotaWindow) => MetricTotals;

type Params = Record<string, string | number | null>;
type Row = MetricTotals & { max_id: number | null };

interface CachedTotals {
  totals: MetricTotals;
  lastId: number;
  end: number;
}

/**
 * Usage per scope and period, kept up to date incrementally: the first question about a period
 * sums it in full, later ones add only the rows written since (by any process), so a check costs
 * about the same on a ledger of a million rows as on an empty one. This relies on row ids only
 * growing (writes are serialised) and on rows never being updated or deleted, which nothing in
 * the program does; a ledger edited by hand is counted afresh when the process restarts.
 */
export function createUsageQuery(db: Db): UsageQuery {
  const prepare = (mode: Mode) =>
    new Map(SCOPE_KINDS.map((scope) => [scope, db.prepare<[Params], Row>(usageSqlFor(scope, mode))]));
  const full = prepare('full');
  const since = prepare('since');
  const cache = new Map<string, CachedTotals>();

  return (quota, window) => {
    // better-sqlite3 refuses named parameters the statement does not use, so global gets no @value.
    const params: Params = { start: window.start, end: window.end };
    if (quota.scope !== 'global') params.value = quota.scope_value;
    const key = [quota.scope, quota.scope_value ?? '', window.start, window.end].join('\u0000');
    const cached = cache.get(key);
    if (!cached) {
      const row = full.get(quota.scope)?.get(params);
      const totals = {
        tokens: row?.tokens ?? 0,
        cost: row?.cost ?? 0,
        requests: row?.requests ?? 0,
        images: row?.images ?? 0,
      };
      // Periods that have ended are rarely asked about again; drop them so the cache stays small.
      for (const [k, v] of cache) if (v.end <= window.start) cache.delete(k);
      if (cache.size >= MAX_CACHED_USAGE) cache.delete(cache.keys().next().value ?? key);
      cache.set(key, { totals, lastId: row?.max_id ?? 0, end: window.end });
      return { ...totals };
    }
    const row = since.get(quota.scope)?.get({ ...params, after: cached.lastId });
    if (row) {
      for (const metric of QUOTA_METRICS) cached.totals[metric] += row[metric];
      cached.lastId = row.max_id ?? cached.lastId;
    }
    return { ...cached.totals };
  };
}

/** The SQL behind a scope, for EXPLAIN QUERY PLAN in tests. */
export const usageSql = (scope: ScopeKind, mode: Mode = 'full'): string => usageSqlFor(scope, mode);
