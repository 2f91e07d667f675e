import type pg from 'pg';
import { QUOTA_METRICS, type ScopeKind } from '../../quotas/schema.js';
import { MAX_CACHED_USAGE, type MetricTotals, type QuotaUsageKey, type QuotaWindow } from '../quota-usage.js';

export type Mode = 'full' | 'since';

// Blocked rows never reached the upstream, so they use nothing; failed calls did and count as requests.
const TOTALS = `COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens, COALESCE(SUM(cost_nano_usd), 0) AS cost,
  COUNT(*) AS requests, COALESCE(SUM(images), 0) AS images`;
// In the same statement as the sums, so both come from one snapshot.
const MAX_ID = '(SELECT MAX(id) FROM calls) AS max_id';
const COLUMNS = 'prompt_tokens, completion_tokens, cost_nano_usd, images';

/**
 * Parameters: $1 start, $2 end, $3 the scope's value (not for global), then the id the cache has
 * counted up to in `since` mode. Each scope leads with an indexed column; model reads its two
 * indexed halves (the model that answered, or the one asked for when none did).
 */
export function usageSqlFor(scope: ScopeKind, mode: Mode): string {
  const after = scope === 'global' ? '$3' : '$4';
  const counted = `status <> 'blocked' AND ts >= $1 AND ts < $2${mode === 'since' ? ` AND id > ${after}` : ''}`;
  switch (scope) {
    case 'global':
      return `SELECT ${TOTALS}, ${MAX_ID} FROM calls WHERE ${counted}`;
    case 'tool':
    case 'client':
    case 'provider':
    case 'session':
      return `SELECT ${TOTALS}, ${MAX_ID} FROM calls WHERE ${scope} = $3 AND ${counted}`;
    case 'model':
      return `SELECT ${TOTALS}, ${MAX_ID} FROM (
        SELECT ${COLUMNS} FROM calls WHERE model_used = $3 AND ${counted}
        UNION ALL
        SELECT ${COLUMNS} FROM calls WHERE model_used IS NULL AND model_requested = $3 AND ${counted}) scoped`;
  }
}

export type UsageRow = MetricTotals & { max_id: number | null };

interface CachedTotals {
  totals: MetricTotals;
  lastId: number;
  end: number;
}

/**
 * Usage per scope and period, kept up to date incrementally as the SQLite engine does: the first
 * question about a period sums it in full, later ones add only rows with id > the last counted.
 * That is exact because writers commit ids in order (CALLS_WRITE_LOCK in calls.ts).
 */
export function createPgQuotaUsage(
  pool: pg.Pool,
): (quota: QuotaUsageKey, window: QuotaWindow) => Promise<MetricTotals> {
  const cache = new Map<string, CachedTotals>();
  return async (quota, window) => {
    const params: (string | number | null)[] = [window.start, window.end];
    if (quota.scope !== 'global') params.push(quota.scope_value);
    const key = [quota.scope, quota.scope_value ?? '', window.start, window.end].join('\u0000');
    const cached = cache.get(key);
    if (!cached) {
      const row = (await pool.query<UsageRow>(usageSqlFor(quota.scope, 'full'), params)).rows[0];
      const totals = {
        tokens: row?.tokens ?? 0,
        cost: row?.cost ?? 0,
        requests: row?.requests ?? 0,
        images: row?.images ?? 0,
      };
      // Periods that have ended are rarely asked about again; drop them so the cache stays small.
      for (const [k, v] of cache) if (v.end <= window.start) cache.delete(k);
      if (cache.size >= MAX_CACHED_USAGE) cache.delete(cache.keys().next().value ?? key);
      // Two questions racing for a fresh period: the later answer is at least as new, keep it.
      const entry = { totals, lastId: row?.max_id ?? 0, end: window.end };
      const raced = cache.get(key);
      if (!raced || raced.lastId <= entry.lastId) cache.set(key, entry);
      return { ...totals };
    }
    const lastId = cached.lastId;
    const row = (await pool.query<UsageRow>(usageSqlFor(quota.scope, 'since'), [...params, lastId])).rows[0];
    // Another question may have advanced the entry while this one waited; add only what it lacks.
    if (row && cached.lastId === lastId) {
      for (const metric of QUOTA_METRICS) cached.totals[metric] += row[metric];
      cached.lastId = row.max_id ?? cached.lastId;
    }
    return { ...cached.totals };
  };
}
