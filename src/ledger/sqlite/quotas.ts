import { quotaFromRow, toAmount, type QuotaRow } from '../quotas.js';
import type { QuotaStore } from '../store.js';
import type { Db } from './open.js';
import { createVersionedCache } from './versioned-cache.js';

/** The quota table behind a cached list (./versioned-cache.ts, counter quotas_version). */
export function createSqliteQuotaStore(db: Db): QuotaStore {
  const listStmt = db.prepare<[], QuotaRow>('SELECT * FROM quotas ORDER BY name');
  const getStmt = db.prepare<[string], QuotaRow>('SELECT * FROM quotas WHERE name = ?');
  // ON CONFLICT keeps the row's id, so alerts already fired for this quota stay attached to it.
  const upsertStmt = db.prepare(
    `INSERT INTO quotas (name, scope, scope_value, metric, period, time_zone, limit_amount, thresholds, hard, created_at, updated_at)
     VALUES (@name, @scope, @scope_value, @metric, @period, @time_zone, @limit_amount, @thresholds, @hard, @now, @now)
     ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, scope_value = excluded.scope_value, metric = excluded.metric,
       period = excluded.period, time_zone = excluded.time_zone, limit_amount = excluded.limit_amount,
       thresholds = excluded.thresholds, hard = excluded.hard, updated_at = excluded.updated_at`,
  );
  const removeStmt = db.prepare('DELETE FROM quotas WHERE name = ?');
  const cache = createVersionedCache(db, 'quotas_version', () => listStmt.all().map(quotaFromRow));

  return {
    // A copy, so a caller changing the array cannot change the cache.
    list: async () => [...cache.get()],
    get: async (name) => {
      const row = getStmt.get(name);
      return row ? quotaFromRow(row) : undefined;
    },
    upsert: async (input, now) => {
      cache.drop(); // this connection's own writes do not move data_version
      upsertStmt.run({
        name: input.name,
        scope: input.scope.kind,
        scope_value: input.scope.value,
        metric: input.metric,
        period: input.period,
        time_zone: input.time_zone,
        limit_amount: toAmount(input.metric, input.limit),
        thresholds: JSON.stringify(input.thresholds),
        hard: input.hard ? 1 : 0,
        now,
      });
      const stored = getStmt.get(input.name);
      if (!stored) throw new Error(`quota ${input.name} vanished after being written`);
      return quotaFromRow(stored);
    },
    remove: async (name) => {
      cache.drop();
      return removeStmt.run(name).changes > 0;
    },
  };
}
