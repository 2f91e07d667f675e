import type { Db } from './open.js';
import type { QuotaMetric } from '../quotas/schema.js';

export type AlertDelivery = 'pending' | 'delivered' | 'failed' | 'no-webhook';

export interface NewAlert {
  quota_id: number;
  period_start: number;
  threshold: number;
  used_amount: number;
  limit_amount: number;
  message: string;
  fired_at: number;
  delivery: AlertDelivery;
}

/** A fired alert, joined with its quota's name and metric for display. */
export interface Alert extends NewAlert {
  id: number;
  quota_name: string;
  metric: QuotaMetric;
  delivery_attempts: number;
  last_error: string | null;
  delivered_at: number | null;
}

export interface AlertsRepo {
  /**
   * Records the alert unless this quota, period and threshold already fired (in any process).
   * Returns the new alert only to the one caller whose insert took effect: that caller delivers it.
   */
  fire(alert: NewAlert): Alert | null;
  firedThresholds(quotaId: number, periodStart: number): Set<number>;
  recordAttempt(
    id: number,
    update: { delivery: AlertDelivery; attempts: number; error: string | null; at: number },
  ): void;
  recent(limit: number, since?: number): Alert[];
  get(id: number): Alert | undefined;
}

const SELECT = `SELECT a.*, q.name AS quota_name, q.metric AS metric FROM alerts a JOIN quotas q ON q.id = a.quota_id`;

export function createAlertsRepo(db: Db): AlertsRepo {
  // INSERT OR IGNORE plus `changes`, never read-then-write: the UNIQUE index decides who fired.
  const fireStmt = db.prepare(
    `INSERT OR IGNORE INTO alerts (quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery)
     VALUES (@quota_id, @period_start, @threshold, @used_amount, @limit_amount, @message, @fired_at, @delivery)`,
  );
  const firedStmt = db.prepare<[number, number], { threshold: number }>(
    'SELECT threshold FROM alerts WHERE quota_id = ? AND period_start = ?',
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
    fire(alert) {
      const result = fireStmt.run(alert);
      return result.changes === 1 ? (getStmt.get(Number(result.lastInsertRowid)) ?? null) : null;
    },
    firedThresholds: (quotaId, periodStart) => new Set(firedStmt.all(quotaId, periodStart).map((r) => r.threshold)),
    recordAttempt: (id, u) =>
      void attemptStmt.run({ id, delivery: u.delivery, attempts: u.attempts, error: u.error, at: u.at }),
    recent: (limit, since = 0) => recentStmt.all(since, limit),
    get: (id) => getStmt.get(id),
  };
}
