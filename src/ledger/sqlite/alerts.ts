import type { Alert } from '../alerts.js';
import type { AlertStore } from '../store.js';
import type { Db } from './open.js';

const SELECT = `SELECT a.*, q.name AS quota_name, q.metric AS metric FROM alerts a JOIN quotas q ON q.id = a.quota_id`;

export function createSqliteAlertStore(db: Db): AlertStore {
  // INSERT OR IGNORE plus `changes`, never read-then-write: the UNIQUE index decides who fired.
  const fireStmt = db.prepare(
    `INSERT OR IGNORE INTO alerts (quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery, session)
     VALUES (@quota_id, @period_start, @threshold, @used_amount, @limit_amount, @message, @fired_at, @delivery, @session)`,
  );
  const firedStmt = db.prepare<[number, number, string], { threshold: number }>(
    'SELECT threshold FROM alerts WHERE quota_id = ? AND period_start = ? AND session = ?',
  );
  const attemptStmt = db.prepare(
    `UPDATE alerts SET delivery = @delivery, delivery_attempts = @attempts, last_error = @error,
       delivered_at = CASE WHEN @delivery = 'delivered' THEN @at ELSE delivered_at END WHERE id = @id`,
  );
  const recentStmt = db.prepare<[number, number], Alert>(
    `${SELECT} WHERE a.fired_at >= ? ORDER BY a.fired_at DESC, a.id DESC LIMIT ?`,
  );
  const getStmt = db.prepare<[number], Alert>(`${SELECT} WHERE a.id = ?`);
  return {
    fire: async (alert) => {
      const result = fireStmt.run({ ...alert, session: alert.session ?? '' });
      return result.changes === 1 ? (getStmt.get(Number(result.lastInsertRowid)) ?? null) : null;
    },
    firedThresholds: async (quotaId, periodStart, session = '') =>
      new Set(firedStmt.all(quotaId, periodStart, session).map((r) => r.threshold)),
    recordAttempt: async (id, u) =>
      void attemptStmt.run({ id, delivery: u.delivery, attempts: u.attempts, error: u.error, at: u.at }),
    recent: async (limit, since = 0) => recentStmt.all(since, limit),
    get: async (id) => getStmt.get(id),
  };
}
