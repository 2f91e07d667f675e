import type pg from 'pg';
import { quotaFromRow, toAmount, type Quota, type QuotaRow } from '../quotas.js';
import type { QuotaStore } from '../store.js';

const VERSION_SQL = "SELECT value FROM ledger_meta WHERE key = 'quotas_version'";
// ON CONFLICT keeps the row's id, so alerts already fired for this quota stay attached to it.
const UPSERT_SQL = `
  INSERT INTO quotas (name, scope, scope_value, metric, period, time_zone, limit_amount, thresholds, hard, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
  ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, scope_value = excluded.scope_value, metric = excluded.metric,
    period = excluded.period, time_zone = excluded.time_zone, limit_amount = excluded.limit_amount,
    thresholds = excluded.thresholds, hard = excluded.hard, updated_at = excluded.updated_at
  RETURNING *`;

/**
 * The quota table behind a cached list. Every change, from any machine, bumps quotas_version (a
 * statement trigger, migration 0001), so list() costs one primary-key read while nothing changed
 * and a change made anywhere is seen on the very next call. (LISTEN/NOTIFY would save the read
 * but arrives asynchronously, so a call right after a change could still see the old list.)
 */
export function createPgQuotaStore(pool: pg.Pool): QuotaStore {
  let cache: { quotas: Quota[]; version: number } | null = null;
  const list = async (): Promise<Quota[]> => {
    const version = (await pool.query<{ value: number }>(VERSION_SQL)).rows[0]?.value ?? 0;
    if (cache && cache.version === version) return cache.quotas;
    // Read after the version: a change in between leaves a newer list under an older version,
    // which the next call simply reads again.
    const rows = (await pool.query<QuotaRow>('SELECT * FROM quotas ORDER BY name')).rows;
    const quotas = rows.map(quotaFromRow);
    cache = { quotas, version };
    return quotas;
  };
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
