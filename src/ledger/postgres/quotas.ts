import type pg from 'pg';
import { quotaFromRow, toAmount, type QuotaRow } from '../quotas.js';
import type { QuotaStore } from '../store.js';
import { createPgVersionedCache } from './versioned-cache.js';

// ON CONFLICT keeps the row's id, so alerts already fired for this quota stay attached to it.
const UPSERT_SQL = `
  INSERT INTO quotas (name, scope, scope_value, metric, period, time_zone, limit_amount, thresholds, hard, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
  ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, scope_value = excluded.scope_value, metric = excluded.metric,
    period = excluded.period, time_zone = excluded.time_zone, limit_amount = excluded.limit_amount,
    thresholds = excluded.thresholds, hard = excluded.hard, updated_at = excluded.updated_at
  RETURNING *`;

/** The quota table behind a cached list (./versioned-cache.ts, counter quotas_version). */
export function createPgQuotaStore(pool: pg.Pool): QuotaStore {
  const list = createPgVersionedCache(pool, 'quotas_version', async () =>
    (await pool.query<QuotaRow>('SELECT * FROM quotas ORDER BY name')).rows.map(quotaFromRow),
  );
  return {
    // A copy, so a caller changing the array cannot change the cache.
    list: async () => [...(await list())],
    get: async (name) => {
      const row = (await pool.query<QuotaRow>('SELECT * FROM quotas WHERE name = $1', [name])).rows[0];
      return row ? quotaFromRow(row) : undefined;
    },
    upsert: async (input, now) => {
      const result = await pool.query<QuotaRow>(UPSERT_SQL, [
        input.name,
        input.scope.kind,
        input.scope.value,
        input.metric,
        input.period,
        input.time_zone,
        toAmount(input.metric, input.limit),
        JSON.stringify(input.thresholds),
        input.hard ? 1 : 0,
        now,
      ]);
      const stored = result.rows[0];
      if (!stored) throw new Error(`quota ${input.name} vanished after being written`);
      return quotaFromRow(stored);
    },
    remove: async (name) => ((await pool.query('DELETE FROM quotas WHERE name = $1', [name])).rowCount ?? 0) > 0,
  };
}
