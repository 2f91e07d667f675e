import type pg from 'pg';
import {
  reconcileDayFrom,
  type BalanceAlert,
  type BalanceRule,
  type BalanceSnapshot,
  type BalanceStore,
  type MeteredModel,
  type ReconcileDayRow,
} from '../balance.js';
import { meteredByModelSql, meteredSinceSql } from '../balance-sql.js';

const PARAM = { provider: '$1', from: '$2', to: '$3' } as const;
const p = (name: keyof typeof PARAM) => PARAM[name];
const METERED_SINCE = meteredSinceSql(p);
const METERED_BY_MODEL = meteredByModelSql(p);

const SNAPSHOT_COLUMNS = 'taken_at, source, balance_nano, used_nano, requests, key_name, key_remaining_nano, error';
const DAY_COLUMNS = `run_at, day, time_zone, key_name, billed_requests, billed_nano, metered_requests, metered_nano,
  unpriced, flagged, cause, models`;
const ALERT_COLUMNS = `a.id, a.below_nano, a.balance_nano, a.message, a.fired_at, a.delivery, a.delivery_attempts,
  a.last_error, a.delivered_at`;
const ALERTS = `SELECT ${ALERT_COLUMNS}, r.name AS rule_name FROM balance_alerts a JOIN balance_rules r ON r.id = a.rule_id`;

// One statement: the conditional UPDATE decides who fires (a concurrent one re-checks armed after the
// first commits and finds it false), and the alert row is written with it.
const FIRE_SQL = `
  WITH crossed AS (
    UPDATE balance_rules SET armed = FALSE, state_at = $2 WHERE id = $1 AND armed AND state_at < $2
    RETURNING id, name, below_nano),
  a AS (
    INSERT INTO balance_alerts (rule_id, below_nano, balance_nano, message, fired_at, delivery)
    SELECT id, below_nano, $3, $4, $5, $6 FROM crossed
    RETURNING *)
  SELECT ${ALERT_COLUMNS}, crossed.name AS rule_name FROM a JOIN crossed ON crossed.id = a.rule_id`;

export function createPgBalanceStore(pool: pg.Pool): BalanceStore {
  const rows = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
    (await pool.query<T>(sql, values)).rows;
  const latestWhere = async (where: string) =>
    (
      await rows<BalanceSnapshot>(`SELECT * FROM balance_snapshots ${where} ORDER BY taken_at DESC, id DESC LIMIT 1`)
    )[0];

  return {
    record: async (s) =>
      (
        await rows<BalanceSnapshot>(
          `INSERT INTO balance_snapshots (${SNAPSHOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [s.taken_at, s.source, s.balance_nano, s.used_nano, s.requests, s.key_name, s.key_remaining_nano, s.error],
        )
      )[0] ?? { ...s, id: 0 },
    latest: () => latestWhere(''),
    latestGood: () => latestWhere('WHERE error IS NULL'),
    history: (since, limit) =>
      rows<BalanceSnapshot>(
        'SELECT * FROM balance_snapshots WHERE taken_at >= $1 ORDER BY taken_at DESC, id DESC LIMIT $2',
        [since, limit],
      ),
    meteredSince: async (provider, ts) => (await rows<{ cost: number }>(METERED_SINCE, [provider, ts]))[0]?.cost ?? 0,
    meteredByModel: (provider, from, to) => rows<MeteredModel>(METERED_BY_MODEL, [provider, from, to]),
    rules: () => rows<BalanceRule>('SELECT * FROM balance_rules ORDER BY below_nano DESC, name'),
    setRule: async (name, belowNano, now) => {
      const [rule] = await rows<BalanceRule>(
        `INSERT INTO balance_rules (name, below_nano, armed, state_at, created_at) VALUES ($1, $2, TRUE, 0, $3)
         ON CONFLICT (name) DO UPDATE SET below_nano = excluded.below_nano, armed = TRUE, state_at = 0 RETURNING *`,
        [name, belowNano, now],
      );
      if (!rule) throw new Error(`balance rule "${name}" was not stored`);
      return rule;
    },
    removeRule: async (name) =>
      ((await pool.query('DELETE FROM balance_rules WHERE name = $1', [name])).rowCount ?? 0) > 0,
    fireRule: async (ruleId, takenAt, a) =>
      (await rows<BalanceAlert>(FIRE_SQL, [ruleId, takenAt, a.balance_nano, a.message, a.fired_at, a.delivery]))[0] ??
      null,
    rearmRule: async (ruleId, takenAt) =>
      (
        await pool.query(
          'UPDATE balance_rules SET armed = TRUE, state_at = $2 WHERE id = $1 AND NOT armed AND state_at < $2',
          [ruleId, takenAt],
        )
      ).rowCount === 1,
    recordAttempt: async (id, u) => {
      await pool.query(
        `UPDATE balance_alerts SET delivery = $2::text, delivery_attempts = $3, last_error = $4,
           delivered_at = CASE WHEN $2::text = 'delivered' THEN $5 ELSE delivered_at END WHERE id = $1`,
        [id, u.delivery, u.attempts, u.error, u.at],
      );
    },
    recentAlerts: (limit) => rows<BalanceAlert>(`${ALERTS} ORDER BY a.fired_at DESC, a.id DESC LIMIT $1`, [limit]),
    saveReconciliation: async (days) => {
      if (days.length === 0) return;
      const values: unknown[] = [];
      const tuples = days.map((d) => {
        const row = [
          d.run_at,
          d.day,
          d.time_zone,
          d.key_name,
          d.billed_requests,
          d.billed_nano,
          d.metered_requests,
          d.metered_nano,
          d.unpriced,
          d.flagged,
          d.cause,
          JSON.stringify(d.models),
        ];
        const start = values.push(...row) - row.length;
        return `(${row.map((_, i) => `$${start + i + 1}`).join(', ')})`;
      });
      // One INSERT: all of the run's days or none.
      await pool.query(`INSERT INTO reconciliations (${DAY_COLUMNS}) VALUES ${tuples.join(', ')}`, values);
    },
    latestReconciliation: async () =>
      (
        await rows<ReconcileDayRow>(
          `SELECT ${DAY_COLUMNS} FROM reconciliations WHERE run_at = (SELECT MAX(run_at) FROM reconciliations) ORDER BY day`,
        )
      ).map(reconcileDayFrom),
    reconciliationHistory: async (sinceDay, limit) =>
      (
        await rows<ReconcileDayRow>(
          `SELECT ${DAY_COLUMNS} FROM reconciliations WHERE day >= $1 ORDER BY day, run_at LIMIT $2`,
          [sinceDay, limit],
        )
      ).map(reconcileDayFrom),
  };
}
