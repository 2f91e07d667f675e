/**
 * The ledger store: the one asynchronous interface through which everything reads and writes
 * usage, quotas and alerts. Each engine (sqlite/, postgres/) is a folder implementing it; nothing
 * outside src/ledger/ knows which one it talks to, imports a driver or writes SQL.
 * See docs/decisions/0016-one-async-store.md.
 */
import type { AlertDelivery, Alert, NewAlert } from './alerts.js';
import type { BalanceStore } from './balance.js';
import type { CallRecord, CallRow } from './calls.js';
import type { LedgerCopyStore } from './copies.js';
import type { Breakdown, BreakdownDimension } from './queries/breakdown.js';
import type { BucketSize } from './queries/buckets.js';
import type { CallFilter, CallPage, ErrorGroup } from './queries/calls.js';
import type { MetricSourceRow } from './queries/metrics.js';
import type { TimeRange } from './queries/range.js';
import type { Summary } from './queries/summary.js';
import type { Timeseries } from './queries/timeseries.js';
import type { MetricTotals, QuotaUsageKey, QuotaWindow } from './quota-usage.js';
import type { PriceStore } from './prices.js';
import type { Quota } from './quotas.js';
import type { ReservationStore } from './reservations.js';
import type { SessionStore } from './sessions.js';
import type { QuotaInput } from '../quotas/schema.js';
import type { UsageReport, UsageReportOptions } from './usage-report.js';

export interface CallStore {
  /**
   * Writes the row (group-committed with rows finishing close by) and resolves with its id once
   * the transaction holding it has committed. Rejects with LedgerWriteError, having written none
   * of its batch, when the transaction fails.
   */
  record(record: CallRecord): Promise<number>;
  /** Many rows in one transaction (seeding, imports); returns their ids in order. */
  recordMany(records: readonly CallRecord[]): Promise<number[]>;
  get(id: number): Promise<CallRow | undefined>;
  count(): Promise<number>;
  maxId(): Promise<number>;
  /** Rows with id > afterId in id order, at most limit of them: the live feed's source. */
  after(afterId: number, limit: number): Promise<CallRow[]>;
}

export interface QueryStore {
  summary(range: TimeRange): Promise<Summary>;
  timeseries(range: TimeRange, bucket: BucketSize, timeZone: string): Promise<Timeseries>;
  breakdown(range: TimeRange, by: BreakdownDimension): Promise<Breakdown>;
  calls(filter: CallFilter): Promise<CallPage>;
  errors(range: TimeRange): Promise<ErrorGroup[]>;
  /** The columns /metrics needs, for calls with id > afterId in id order. */
  metricRows(afterId: number, limit: number): Promise<MetricSourceRow[]>;
  /** The CLI `usage` table and the get_usage tool. */
  usageReport(options: UsageReportOptions): Promise<UsageReport>;
  /** What the calls counting toward a quota's scope used in a window (blocked calls excluded). */
  quotaUsage(quota: QuotaUsageKey, window: QuotaWindow): Promise<MetricTotals>;
}

export interface QuotaStore {
  /**
   * Every quota, by name. Served from a cache that is dropped whenever any process changes the
   * quota table, so the call path does not re-read it per call.
   */
  list(): Promise<Quota[]>;
  get(name: string): Promise<Quota | undefined>;
  /** Creates or replaces the quota of that name; returns it as stored. */
  upsert(input: QuotaInput, now: number): Promise<Quota>;
  /** Returns false when there was no quota of that name. */
  remove(name: string): Promise<boolean>;
}

export interface AlertStore {
  /**
   * Records the alert unless this quota, period and threshold already fired (in any process).
   * Returns the new alert only to the one caller whose insert took effect: that caller delivers it.
   */
  fire(alert: NewAlert): Promise<Alert | null>;
  firedThresholds(quotaId: number, periodStart: number, session?: string): Promise<Set<number>>;
  recordAttempt(
    id: number,
    update: { delivery: AlertDelivery; attempts: number; error: string | null; at: number },
  ): Promise<void>;
  recent(limit: number, since?: number): Promise<Alert[]>;
  get(id: number): Promise<Alert | undefined>;
}

export type StoreEngine = 'sqlite' | 'postgres';

export interface LedgerStore {
  readonly engine: StoreEngine;
  /** Where the ledger is, fit to show: a file path, or a URL without its password. */
  readonly location: string;
  readonly readonly: boolean;
  readonly calls: CallStore;
  readonly queries: QueryStore;
  readonly quotas: QuotaStore;
  readonly alerts: AlertStore;
  /** Per-session sums: the Sessions view (docs/decisions/0021-sessions-and-loop-guard.md). */
  readonly sessions: SessionStore;
  /** Prices stored in the ledger over the price table, and repricing recorded calls. */
  readonly prices: PriceStore;
  /** CometAPI's balance, low-balance rules and alerts, and reconciliations against its bill. */
  readonly balance: BalanceStore;
  /** Copying calls between ledgers (`ledger copy`), idempotent and resumable. */
  readonly copies: LedgerCopyStore;
  /** Holds for exact shared hard quotas; engines without them (SQLite) check usage alone. */
  readonly reservations?: ReservationStore;
  /**
   * Background upkeep (bringing rollups up to date), a bounded step per event-loop turn until done
   * or stopped(); resolves with how many calls it folded in.
   */
  maintain(stopped: () => boolean): Promise<number>;
  /** Waits for pending writes, then closes the connection(s). */
  close(): Promise<void>;
}

/** A batch of rows could not be committed; none of them was written. */
export class LedgerWriteError extends Error {
  override readonly name = 'LedgerWriteError';
  constructor(
    message: string,
    readonly rows: number,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

export type { Alert, AlertDelivery, NewAlert } from './alerts.js';
export type { CallRecord, CallRow, CallSource, CallStatus } from './calls.js';
export type { Quota } from './quotas.js';
export type { PriceChange, PriceOverride, PricedCall, PriceStore, RepriceTotals, SeenModel } from './prices.js';
export type * from './balance.js';
export { fromAmount, toAmount } from './quotas.js';
export { DRIFT_CAUSES } from './balance.js';
export { nanoFromUsd, usdFromNano } from './calls.js';
export type { MetricTotals, QuotaUsageKey, QuotaWindow } from './quota-usage.js';
export {
  BREAKDOWN_DIMENSIONS,
  type Breakdown,
  type BreakdownDimension,
  type BreakdownRow,
} from './queries/breakdown.js';
export {
  BUCKET_SIZES,
  BUCKET_MS,
  MAX_BUCKETS,
  chooseBucket,
  bucketEdges,
  ZoneClock,
  type BucketSize,
} from './queries/buckets.js';
export type { CallFilter, CallPage, ErrorGroup } from './queries/calls.js';
export type { MetricSourceRow } from './queries/metrics.js';
export { nearestRank, type TimeRange } from './queries/range.js';
export type { Summary, Percentiles } from './queries/summary.js';
export type { Timeseries, TimeseriesPoint } from './queries/timeseries.js';
export { USAGE_GROUPS, isUsageGroup, type UsageGroup, type UsageReport, type UsageRow } from './usage-report.js';
export type { HoldRequest, HoldResult, ReservationStore } from './reservations.js';
export type { CopyProgress, LedgerCopyStore } from './copies.js';
export type { SessionStore, SessionSummary } from './sessions.js';
