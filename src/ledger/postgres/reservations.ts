/**
 * Holds for exact shared hard quotas. Each hold is one transaction that locks the quota period's
 * counter row, so processes on any number of machines take turns: it brings the counter up to date
 * with calls committed since it last looked (ids commit in order, see CALLS_WRITE_LOCK), adds the
 * live holds, and inserts a hold only when the estimate still fits the limit.
 */
import type pg from 'pg';
import type { HoldRequest, HoldResult, ReservationStore } from '../reservations.js';
import { usageSqlFor, type UsageRow } from './quota-usage.js';
import { inTransaction } from './transaction.js';

const ENSURE_COUNTER = `INSERT INTO quota_counters (quota_id, period_start) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
const LOCK_COUNTER = `SELECT used, through_id, counts FROM quota_counters WHERE quota_id = $1 AND period_start = $2 FOR UPDATE`;
const ADVANCE_COUNTER = `UPDATE quota_counters SET used = $3, through_id = $4, counts = $5 WHERE quota_id = $1 AND period_start = $2`;
const DROP_EXPIRED = `DELETE FROM quota_holds WHERE quota_id = $1 AND period_start = $2 AND expires_at <= $3`;
const DROP_HOLDS = `DELETE FROM quota_holds WHERE quota_id = $1 AND period_start = $2`;
const INSERT_HOLD = `INSERT INTO quota_holds (quota_id, period_start, amount, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`;

export function createPgReservations(pool: pg.Pool): ReservationStore {
  async function hold(client: pg.PoolClient, r: HoldRequest): Promise<HoldResult> {
    const key = [r.quota.id, r.window.start];
    await client.query(ENSURE_COUNTER, key);
    const locked = (await client.query<{ used: number; through_id: number; counts: string }>(LOCK_COUNTER, key))
      .rows[0];
    if (!locked) throw new Error(`quota ${r.quota.id} has no counter row for the period starting ${r.window.start}`);
    // An upsert keeps a quota's id but may change what it counts: then count the period afresh,
    // and drop holds taken in the old unit (their calls are counted once their rows are in).
    const counts = JSON.stringify([r.quota.metric, r.quota.scope, r.quota.scope_value]);
    const changed = locked.counts !== counts;
    if (changed) await client.query(DROP_HOLDS, key);
    const counter = changed ? { used: 0, through_id: 0 } : locked;
    await client.query(DROP_EXPIRED, [...key, r.now]);
    const params = [r.window.start, r.window.end, ...(r.quota.scope === 'global' ? [] : [r.quota.scope_value])];
    params.push(counter.through_id, ...key);
    const n = params.length;
    // New rows and live holds from ONE snapshot: a call commits its row before it drops its hold,
    // so a snapshot sees the row, the hold or both, never neither (two statements could miss both).
    const since = (
      await client.query<UsageRow & { held: number }>(
        `SELECT s.*, (SELECT COALESCE(SUM(amount), 0) FROM quota_holds WHERE quota_id = $${n - 1} AND period_start = $${n}) AS held
           FROM (${usageSqlFor(r.quota.scope, 'since')}) s`,
        params,
      )
    ).rows[0];
    const used = counter.used + (since?.[r.quota.metric] ?? 0);
    const held = since?.held ?? 0;
    const throughId = Math.max(counter.through_id, since?.max_id ?? 0);
    await client.query(ADVANCE_COUNTER, [...key, used, throughId, counts]);
    // As the plain check: refused once the limit is reached (even for a call that needs 0), or when this would pass it.
    const total = used + held;
    if (total >= r.quota.limit_amount || total + r.amount > r.quota.limit_amount)
      return { granted: false, used: total };
    const inserted = await client.query<{ id: number }>(INSERT_HOLD, [...key, r.amount, r.expiresAt]);
    const id = inserted.rows[0]?.id;
    if (id === undefined) throw new Error('the hold was not inserted');
    return { granted: true, id };
  }

  return {
    hold: (request) => inTransaction(pool, (client) => hold(client, request)),
    async release(ids) {
      if (ids.length > 0) await pool.query('DELETE FROM quota_holds WHERE id = ANY($1::bigint[])', [ids]);
    },
  };
}
