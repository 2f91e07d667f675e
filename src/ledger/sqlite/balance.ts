import {
  reconcileDayFrom,
  type BalanceAlert,
  type BalanceRule,
  type BalanceSnapshot,
  type BalanceStore,
  type MeteredModel,
  type ReconcileDay,
  type ReconcileDayRow,
} from '../balance.js';
import { meteredByModelSql, meteredSinceSql } from '../balance-sql.js';
import type { Db } from './open.js';

type RuleRow = Omit<BalanceRule, 'armed'> & { armed: 0 | 1 };

const ALERTS = `SELECT a.id, a.below_nano, a.balance_nano, a.message, a.fired_at, a.delivery, a.delivery_attempts,
  a.last_error, a.delivered_at, r.name AS rule_name FROM balance_alerts a JOIN balance_rules r ON r.id = a.rule_id`;
const DAY_COLUMNS = `run_at, day, time_zone, key_name, billed_requests, billed_nano, metered_requests, metered_nano,
  unpriced, flagged, cause, models`;

const ruleFrom = (row: RuleRow): BalanceRule => ({ ...row, armed: row.armed === 1 });

export function createSqliteBalanceStore(db: Db): BalanceStore {
  const insertSnapshot = db.prepare(
    `INSERT INTO balance_snapshots (taken_at, source, balance_nano, used_nano, requests, key_name, key_remaining_nano, error)
     VALUES (@taken_at, @source, @balance_nano, @used_nano, @requests, @key_name, @key_remaining_nano, @error)`,
  );
  const snapshotById = db.prepare<[number], BalanceSnapshot>('SELECT * FROM balance_snapshots WHERE id = ?');
  const latest = db.prepare<[], BalanceSnapshot>(
    'SELECT * FROM balance_snapshots ORDER BY taken_at DESC, id DESC LIMIT 1',
  );
  const latestGood = db.prepare<[], BalanceSnapshot>(
    'SELECT * FROM balance_snapshots WHERE error IS NULL ORDER BY taken_at DESC, id DESC LIMIT 1',
  );
  const history = db.prepare<[number, number], BalanceSnapshot>(
    'SELECT * FROM balance_snapshots WHERE taken_at >= ? ORDER BY taken_at DESC, id DESC LIMIT ?',
  );
  const p = (name: string) => `@${name}`;
  const meteredSince = db.prepare<[{ provider: string; from: number }], { cost: number }>(meteredSinceSql(p));
  const meteredByModel = db.prepare<[{ provider: string; from: number; to: number }], MeteredModel>(
    meteredByModelSql(p),
  );
  const rules = db.prepare<[], RuleRow>('SELECT * FROM balance_rules ORDER BY below_nano DESC, name');
  const upsertRule = db.prepare<[string, number, number]>(
    `INSERT INTO balance_rules (name, below_nano, armed, state_at, created_at) VALUES (?, ?, 1, 0, ?)
     ON CONFLICT (name) DO UPDATE SET below_nano = excluded.below_nano, armed = 1, state_at = 0`,
  );
  const ruleByName = db.prepare<[string], RuleRow>('SELECT * FROM balance_rules WHERE name = ?');
  const removeRule = db.prepare<[string]>('DELETE FROM balance_rules WHERE name = ?');
  const flip = (to: 0 | 1) =>
    db.prepare<[{ id: number; at: number }]>(
      `UPDATE balance_rules SET armed = ${to}, state_at = @at WHERE id = @id AND armed = ${1 - to} AND state_at < @at`,
    );
  const disarm = flip(0);
  const rearm = flip(1);
  const insertAlert = db.prepare(
    `INSERT INTO balance_alerts (rule_id, below_nano, balance_nano, message, fired_at, delivery)
     SELECT id, below_nano, @balance_nano, @message, @fired_at, @delivery FROM balance_rules WHERE id = @rule_id`,
  );
  const alertById = db.prepare<[number], BalanceAlert>(`${ALERTS} WHERE a.id = ?`);
  const recentAlerts = db.prepare<[number], BalanceAlert>(`${ALERTS} ORDER BY a.fired_at DESC, a.id DESC LIMIT ?`);
  const attempt = db.prepare(
    `UPDATE balance_alerts SET delivery = @delivery, delivery_attempts = @attempts, last_error = @error,
       delivered_at = CASE WHEN @delivery = 'delivered' THEN @at ELSE delivered_at END WHERE id = @id`,
  );
  const insertDay = db.prepare(
    `INSERT INTO reconciliations (${DAY_COLUMNS}) VALUES (@run_at, @day, @time_zone, @key_name, @billed_requests,
       @billed_nano, @metered_requests, @metered_nano, @unpriced, @flagged, @cause, @models)`,
  );
  const latestRun = db.prepare<[], ReconcileDayRow>(
    `SELECT ${DAY_COLUMNS} FROM reconciliations WHERE run_at = (SELECT MAX(run_at) FROM reconciliations) ORDER BY day`,
  );
  const dayHistory = db.prepare<[string, number], ReconcileDayRow>(
    `SELECT ${DAY_COLUMNS} FROM reconciliations WHERE day >= ? ORDER BY day, run_at LIMIT ?`,
  );

  // The disarm decides who fires; the alert row is written in the same transaction.
  const fire = db.transaction((ruleId: number, takenAt: number, alert: Parameters<BalanceStore['fireRule']>[2]) => {
    if (disarm.run({ id: ruleId, at: takenAt }).changes !== 1) return null;
    const id = Number(insertAlert.run({ ...alert, rule_id: ruleId }).lastInsertRowid);
    return alertById.get(id) ?? null;
  });
  const saveDays = db.transaction((days: readonly ReconcileDay[]) => {
    for (const d of days) insertDay.run({ ...d, flagged: d.flagged ? 1 : 0, models: JSON.stringify(d.models) });
  });

  return {
    record: async (snapshot) => {
      const id = Number(insertSnapshot.run(snapshot).lastInsertRowid);
      return snapshotById.get(id) ?? { ...snapshot, id };
    },
    latest: async () => latest.get(),
    latestGood: async () => latestGood.get(),
    history: async (since, limit) => history.all(since, limit),
    meteredSince: async (provider, ts) => meteredSince.get({ provider, from: ts })?.cost ?? 0,
    meteredByModel: async (provider, from, to) => meteredByModel.all({ provider, from, to }),
    rules: async () => rules.all().map(ruleFrom),
    setRule: async (name, belowNano, now) => {
      upsertRule.run(name, belowNano, now);
      const row = ruleByName.get(name);
      if (!row) throw new Error(`balance rule "${name}" vanished while being set`);
      return ruleFrom(row);
    },
    removeRule: async (name) => removeRule.run(name).changes > 0,
    fireRule: async (ruleId, takenAt, alert) => fire.immediate(ruleId, takenAt, alert),
    rearmRule: async (ruleId, takenAt) => rearm.run({ id: ruleId, at: takenAt }).changes === 1,
    recordAttempt: async (id, u) =>
      void attempt.run({ id, delivery: u.delivery, attempts: u.attempts, error: u.error, at: u.at }),
    recentAlerts: async (limit) => recentAlerts.all(limit),
    saveReconciliation: async (days) => saveDays.immediate(days),
    latestReconciliation: async () => latestRun.all().map(reconcileDayFrom),
    reconciliationHistory: async (sinceDay, limit) => dayHistory.all(sinceDay, limit).map(reconcileDayFrom),
  };
}
