import type pg from 'pg';
import type { Alert } from '../alerts.js';
import type { AlertStore } from '../store.js';

const JOINED = 'SELECT a.*, q.name AS quota_name, q.metric AS metric FROM alerts a JOIN quotas q ON q.id = a.quota_id';

// ON CONFLICT DO NOTHING RETURNING, never read-then-write: the UNIQUE constraint decides who fired,
// and only that caller gets a row back (joined with its quota in the same statement).
const FIRE_SQL = `
  WITH fired AS (
    INSERT INTO alerts (quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery, session)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (quota_id, period_start, threshold, session) DO NOTHING
    RETURNING *)
  SELECT fired.*, q.name AS quota_name, q.metric AS metric FROM fired JOIN quotas q ON q.id = fired.quota_id`;

const ATTEMPT_SQL = `
  UPDATE alerts SET delivery = $2::text, delivery_attempts = $3, last_error = $4,
    delivered_at = CASE WHEN $2::text = 'delivered' THEN $5 ELSE delivered_at END
  WHERE id = $1`;

export function createPgAlertStore(pool: pg.Pool): AlertStore {
  return {
    fire: async (a) =>
      (
        await pool.query<Alert>(FIRE_SQL, [
          a.quota_id,
          a.period_start,
          a.threshold,
          a.used_amount,
          a.limit_amount,
          a.message,
          a.fired_at,
          a.delivery,
          a.session ?? '',
        ])
      ).rows[0] ?? null,
    firedThresholds: async (quotaId, periodStart, session = '') => {
      const result = await pool.query<{ threshold: number }>(
        'SELECT threshold FROM alerts WHERE quota_id = $1 AND period_start = $2 AND session = $3',
        [quotaId, periodStart, session],
      );
      return new Set(result.rows.map((r) => r.threshold));
    },
    recordAttempt: async (id, u) => {
      await pool.query(ATTEMPT_SQL, [id, u.delivery, u.attempts, u.error, u.at]);
    },
    recent: async (limit, since = 0) =>
      (
        await pool.query<Alert>(`${JOINED} WHERE a.fired_at >= $1 ORDER BY a.fired_at DESC, a.id DESC LIMIT $2`, [
          since,
          limit,
        ])
      ).rows,
    get: async (id) => (await pool.query<Alert>(`${JOINED} WHERE a.id = $1`, [id])).rows[0],
  };
}
