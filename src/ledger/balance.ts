/**
 * The store's balance side: snapshots of CometAPI's balance, low-balance rules and the alerts they
 * fired, per-day metered figures to set beside CometAPI's bill, and stored reconciliations. Money
 * is integer nano-USD, like the calls' costs.
 */
import type { AlertDelivery } from './alerts.js';

/** One refresh of the balance; error is set (and the figures null) when the refresh failed. */
export interface NewBalanceSnapshot {
  taken_at: number;
  /** The query service's host: where the figures came from. */
  source: string;
  balance_nano: number | null;
  used_nano: number | null;
  requests: number | null;
  key_name: string | null;
  /** The named key's remaining quota; null when unlimited or no key is named. */
  key_remaining_nano: number | null;
  error: string | null;
}

export interface BalanceSnapshot extends NewBalanceSnapshot {
  id: number;
}

/** "Alert when the balance falls below X": armed until it fires, re-armed when the balance rises above X. */
export interface BalanceRule {
  id: number;
  name: string;
  below_nano: number;
  armed: boolean;
  /** taken_at of the snapshot that last fired or re-armed it: older snapshots change nothing. */
  state_at: number;
  created_at: number;
}

export interface NewBalanceAlert {
  balance_nano: number;
  message: string;
  fired_at: number;
  delivery: AlertDelivery;
}

export interface BalanceAlert extends NewBalanceAlert {
  id: number;
  rule_name: string;
  below_nano: number;
  delivery_attempts: number;
  last_error: string | null;
  delivered_at: number | null;
}

/** What the ledger metered for one model over a span (calls that reached the upstream and used something). */
export interface MeteredModel {
  model: string;
  requests: number;
  cost_nano: number;
  /** Calls of this model with no price: metered as $0, billed for real. */
  unpriced: number;
}

/** Why a day's bill and ledger differ, as reconciliation infers it (src/balance/reconcile.ts). */
export const DRIFT_CAUSES = ['outside-traffic', 'stale-price', 'unpriced-models', 'missing-day'] as const;
export type DriftCause = (typeof DRIFT_CAUSES)[number] | null;

/** One billing day of a reconciliation run. */
export interface ReconcileDay {
  run_at: number;
  day: string;
  time_zone: string;
  /** The key name the bill was read for; null = the whole account. */
  key_name: string | null;
  /** null when CometAPI reported nothing for the day. */
  billed_requests: number | null;
  billed_nano: number | null;
  metered_requests: number;
  metered_nano: number;
  unpriced: number;
  flagged: boolean;
  cause: DriftCause;
  /** The models named as carrying the gap (stale price) or unpriced. */
  models: string[];
}

export interface BalanceStore {
  record(snapshot: NewBalanceSnapshot): Promise<BalanceSnapshot>;
  /** The newest snapshot, failed or not. */
  latest(): Promise<BalanceSnapshot | undefined>;
  /** The newest snapshot that holds figures. */
  latestGood(): Promise<BalanceSnapshot | undefined>;
  history(since: number, limit: number): Promise<BalanceSnapshot[]>;
  /** Nano-USD metered for `provider` since `ts`: the refresher's "after each $1 of spend". */
  meteredSince(provider: string, ts: number): Promise<number>;
  meteredByModel(provider: string, from: number, to: number): Promise<MeteredModel[]>;

  rules(): Promise<BalanceRule[]>;
  /** Creates or replaces the rule of that name (re-armed). */
  setRule(name: string, belowNano: number, now: number): Promise<BalanceRule>;
  removeRule(name: string): Promise<boolean>;
  /**
   * Disarms the rule and records its alert, only if it is armed and its state is older than
   * `takenAt`: the one caller (of any process) that gets the alert back delivers it.
   */
  fireRule(ruleId: number, takenAt: number, alert: NewBalanceAlert): Promise<BalanceAlert | null>;
  /** Re-arms a fired rule on a newer snapshot; false when it was armed already or the snapshot is older. */
  rearmRule(ruleId: number, takenAt: number): Promise<boolean>;
  recordAttempt(
    id: number,
    update: { delivery: AlertDelivery; attempts: number; error: string | null; at: number },
  ): Promise<void>;
  recentAlerts(limit: number): Promise<BalanceAlert[]>;

  /** Stores one run's days in one transaction. */
  saveReconciliation(days: readonly ReconcileDay[]): Promise<void>;
  /** The newest run's days, oldest day first. */
  latestReconciliation(): Promise<ReconcileDay[]>;
  /** Every stored run's figure for each day since `day` (YYYY-MM-DD): how drift moved. */
  reconciliationHistory(sinceDay: string, limit: number): Promise<ReconcileDay[]>;
}

/** A stored reconciliation row as either engine returns it (flagged 0/1 or boolean, models as JSON). */
export type ReconcileDayRow = Omit<ReconcileDay, 'flagged' | 'models' | 'cause'> & {
  flagged: 0 | 1 | boolean;
  models: string;
  cause: string | null;
};

export const reconcileDayFrom = (row: ReconcileDayRow): ReconcileDay => ({
  ...row,
  flagged: row.flagged === 1 || row.flagged === true,
  cause: (row.cause || null) as DriftCause,
  models: JSON.parse(row.models) as string[],
});
