/**
 * Exact shared hard quotas, a proposal for the store interface (not in store.ts yet): a call
 * reserves its estimate against a counter row before reaching the upstream, and settles the
 * difference once its real amount is known (or releases it all on failure). One statement each,
 * so the check and the increment cannot be split by another machine's reservation.
 */
import type pg from 'pg';

export interface QuotaReservations {
  /**
   * Adds estimate to the period's counter unless that would pass limit; returns the new total,
   * or null when refused (nothing changed).
   */
  reserve(quotaId: number, periodStart: number, estimate: number, limit: number): Promise<number | null>;
  /** Moves the counter by delta (real amount minus estimate; minus the estimate to release). */
  settle(quotaId: number, periodStart: number, delta: number): Promise<void>;
}

// A fresh period's row is inserted only when the estimate alone fits; an existing row is updated
// only while used + estimate <= limit. Either way RETURNING is empty when refused.
const RESERVE_SQL = `
  INSERT INTO quota_counters (quota_id, period_start, used)
  SELECT $1, $2, $3::bigint WHERE $3::bigint <= $4::bigint
  ON CONFLICT (quota_id, period_start) DO UPDATE SET used = quota_counters.used + excluded.used
    WHERE quota_counters.used + excluded.used <= $4::bigint
  RETURNING used`;

const SETTLE_SQL = `UPDATE quota_counters SET used = GREATEST(0, used + $3::bigint) WHERE quota_id = $1 AND period_start = $2`;

export function createPgReservations(pool: pg.Pool): QuotaReservations {
  return {
    reserve: async (quotaId, periodStart, estimate, limit) =>
      (await pool.query<{ used: number }>(RESERVE_SQL, [quotaId, periodStart, estimate, limit])).rows[0]?.used ?? null,
    settle: async (quotaId, periodStart, delta) => {
      await pool.query(SETTLE_SQL, [quotaId, periodStart, delta]);
    },
  };
}
