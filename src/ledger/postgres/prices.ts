import type pg from 'pg';
import {
  PRICED_CALL_COLUMNS,
  addToTotals,
  emptyTotals,
  overrideFromRow,
  type PriceStore,
  type PricedCall,
  type SeenModel,
} from '../prices.js';
import { DIMENSIONS } from './rollups.js';
import { PG_SQL } from './sql.js';
import { createPgVersionedCache } from './versioned-cache.js';
import { BILLABLE_SQL } from '../billable-sql.js';
import { inTransaction } from './transaction.js';

const NEW_COSTS = 'unnest($1::bigint[], $2::bigint[]) AS r(id, cost)';

/**
 * Each repriced call counted in the rollups (id <= watermark) moves its slots' cost and unpriced
 * count in every dimension by the difference, as the catch-up would have counted the new cost.
 */
const ADJUST_ROLLUPS = `UPDATE call_rollups cr
  SET cost_nano_usd = cr.cost_nano_usd + d.cost, unpriced = cr.unpriced + d.unpriced
  FROM (SELECT x.dim, x.key, x.start_ms, SUM(COALESCE(r.cost, 0) - COALESCE(c.cost_nano_usd, 0)) AS cost,
               SUM((r.cost IS NULL)::int - (c.cost_nano_usd IS NULL)::int) AS unpriced
          FROM calls c JOIN ${NEW_COSTS} ON r.id = c.id CROSS JOIN LATERAL ${DIMENSIONS} AS x(dim, key, start_ms)
         WHERE c.id <= $3 GROUP BY 1, 2, 3) AS d
  WHERE cr.dim = d.dim AND cr.start_ms = d.start_ms AND cr.key IS NOT DISTINCT FROM d.key`;
const UPDATE_CALLS = `UPDATE calls c SET cost_nano_usd = r.cost FROM ${NEW_COSTS} WHERE c.id = r.id`;
const CALLS_OF = `SELECT ${PRICED_CALL_COLUMNS} FROM calls
  WHERE ${PG_SQL.modelKey} = $1 AND ts >= $2 AND ${BILLABLE_SQL} ORDER BY id`;

export function createPgPriceStore(pool: pg.Pool): PriceStore {
  const list = createPgVersionedCache(pool, 'prices_version', async () =>
    (
      await pool.query<{ model: string; price: string; updated_at: number }>(
        'SELECT model, price, updated_at FROM price_overrides ORDER BY model',
      )
    ).rows.flatMap((row) => overrideFromRow(row) ?? []),
  );
  return {
    list,
    seenModels: async () =>
      (
        await pool.query<SeenModel>(
          `SELECT ${PG_SQL.modelKey} AS model, COUNT(*) AS calls, COUNT(*) FILTER (WHERE ${PG_SQL.unpriced}) AS unpriced
             FROM calls GROUP BY 1 ORDER BY calls DESC, model`,
        )
      ).rows,
    callsOf: async (model, since) => (await pool.query<PricedCall>(CALLS_OF, [model, since])).rows,
    apply: (change) =>
      inTransaction(pool, async (client) => {
        if (change.price)
          await client.query(
            `INSERT INTO price_overrides (model, price, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (model) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at`,
            [change.model, JSON.stringify(change.price), change.now],
          );
        else await client.query('DELETE FROM price_overrides WHERE model = $1', [change.model]);
        if (!change.reprice) return null;
        // The watermark row locked first: a catch-up waits, then folds calls past it with their new cost.
        const mark = await client.query<{ last_call_id: number }>(
          'SELECT last_call_id FROM call_rollup_watermark WHERE id = 1 FOR UPDATE',
        );
        const calls = (await client.query<PricedCall>(`${CALLS_OF} FOR UPDATE`, [change.model, change.reprice.since]))
          .rows;
        const totals = emptyTotals();
        const ids: number[] = [];
        const costs: (number | null)[] = [];
        for (const call of calls) {
          const cost = change.reprice.costOf(call);
          addToTotals(totals, call.cost_nano_usd, cost);
          if (cost === call.cost_nano_usd) continue;
          ids.push(call.id);
          costs.push(cost);
        }
        await client.query(ADJUST_ROLLUPS, [ids, costs, mark.rows[0]?.last_call_id ?? 0]);
        await client.query(UPDATE_CALLS, [ids, costs]);
        return totals;
      }),
  };
}
