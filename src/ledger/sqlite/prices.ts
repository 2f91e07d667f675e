import {
  PRICED_CALL_COLUMNS,
  addToTotals,
  emptyTotals,
  overrideFromRow,
  type PriceOverride,
  type PriceStore,
  type PricedCall,
  type SeenModel,
} from '../prices.js';
import { ROLLUP_DIMS, SLOT_MS } from '../rollups/aggregate.js';
import type { Db } from './open.js';
import { DIM_KEY_SQL, SQL } from './sql.js';
import { createVersionedCache } from './versioned-cache.js';
import { BILLABLE_SQL } from '../billable-sql.js';

const slot = (ms: number) => `ts - ((ts % ${ms}) + ${ms}) % ${ms}`;

/**
 * Each repriced call counted in the rollups (id <= watermark) moves its slots' cost and unpriced
 * count in every dimension by the difference, as the catch-up would have counted the new cost.
 */
const ROLLUP_DELTAS = ROLLUP_DIMS.map(
  (dim) => `SELECT '${dim}' AS dim, ${DIM_KEY_SQL[dim]} AS key, ${slot(SLOT_MS[dim])} AS start_ms,
    COALESCE(r.cost, 0) - COALESCE(c.cost_nano_usd, 0) AS cost,
    (r.cost IS NULL) - (c.cost_nano_usd IS NULL) AS unpriced
    FROM calls c JOIN reprice_costs r ON r.id = c.id
    WHERE c.id <= (SELECT last_call_id FROM call_rollup_watermark WHERE id = 1)`,
).join('\nUNION ALL\n');
const ADJUST_ROLLUPS = `UPDATE call_rollups
  SET cost_nano_usd = call_rollups.cost_nano_usd + d.cost, unpriced = call_rollups.unpriced + d.unpriced
  FROM (SELECT dim, key, start_ms, SUM(cost) AS cost, SUM(unpriced) AS unpriced FROM (${ROLLUP_DELTAS}) GROUP BY 1, 2, 3) AS d
  WHERE call_rollups.dim = d.dim AND call_rollups.start_ms = d.start_ms AND call_rollups.key IS d.key`;

export function createSqlitePriceStore(db: Db): PriceStore {
  // This connection's scratch list of new costs (a temp table: never in the ledger file).
  db.exec('CREATE TEMP TABLE IF NOT EXISTS reprice_costs (id INTEGER PRIMARY KEY, cost INTEGER)');
  const listStmt = db.prepare<[], { model: string; price: string; updated_at: number }>(
    'SELECT model, price, updated_at FROM price_overrides ORDER BY model',
  );
  const cache = createVersionedCache(db, 'prices_version', (): readonly PriceOverride[] =>
    listStmt.all().flatMap((row) => overrideFromRow(row) ?? []),
  );
  const seenStmt = db.prepare<[], SeenModel>(
    `SELECT ${SQL.modelKey} AS model, COUNT(*) AS calls, TOTAL(${SQL.unpriced}) AS unpriced
       FROM calls GROUP BY 1 ORDER BY calls DESC, model`,
  );
  const callsStmt = db.prepare<[string, number], PricedCall>(
    `SELECT ${PRICED_CALL_COLUMNS} FROM calls WHERE ${SQL.modelKey} = ? AND ts >= ? AND ${BILLABLE_SQL} ORDER BY id`,
  );
  const upsertStmt = db.prepare(
    `INSERT INTO price_overrides (model, price, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (model) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at`,
  );
  const deleteStmt = db.prepare('DELETE FROM price_overrides WHERE model = ?');
  const insertCost = db.prepare('INSERT INTO reprice_costs (id, cost) VALUES (?, ?)');
  const adjustRollups = db.prepare(ADJUST_ROLLUPS);
  const updateCalls = db.prepare(
    'UPDATE calls SET cost_nano_usd = (SELECT cost FROM reprice_costs r WHERE r.id = calls.id) WHERE id IN (SELECT id FROM reprice_costs)',
  );
  const clearCosts = db.prepare('DELETE FROM reprice_costs');

  const apply = db.transaction((change: Parameters<PriceStore['apply']>[0]) => {
    if (change.price) upsertStmt.run(change.model, JSON.stringify(change.price), change.now);
    else deleteStmt.run(change.model);
    if (!change.reprice) return null;
    const totals = emptyTotals();
    clearCosts.run();
    for (const call of callsStmt.all(change.model, change.reprice.since)) {
      const cost = change.reprice.costOf(call);
      addToTotals(totals, call.cost_nano_usd, cost);
      if (cost !== call.cost_nano_usd) insertCost.run(call.id, cost);
    }
    adjustRollups.run();
    updateCalls.run();
    clearCosts.run();
    return totals;
  });

  return {
    list: async () => cache.get(),
    seenModels: async () => seenStmt.all(),
    callsOf: async (model, since) => callsStmt.all(model, since),
    apply: async (change) => {
      cache.drop(); // this connection's own writes do not move data_version
      // IMMEDIATE: the rollup catch-up of another process cannot fold these calls in between.
      return apply.immediate(change);
    },
  };
}
