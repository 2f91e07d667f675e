import type { Quota } from './quotas.js';
import type { QuotaWindow } from './quota-usage.js';

export interface HoldRequest {
  quota: Pick<Quota, 'id' | 'scope' | 'scope_value' | 'metric' | 'limit_amount'>;
  window: QuotaWindow;
  /** The call's estimate in the quota's unit. */
  amount: number;
  now: number;
  /** When a hold that was never released (its process died) stops counting. */
  expiresAt: number;
}

/** Granted: the hold's id. Refused: what was used and held already, nothing changed. */
export type HoldResult = { granted: true; id: number } | { granted: false; used: number };

/**
 * Exact shared hard quotas, where the engine offers them (PostgreSQL): the check and the hold are
 * one step for every process on the ledger, so calls in flight on many machines never pass a
 * limit together. Committed usage comes from the ledger's rows, so a released hold leaves no trace.
 */
export interface ReservationStore {
  /** Holds amount unless committed usage + live holds has reached the limit or would pass it with amount. */
  hold(request: HoldRequest): Promise<HoldResult>;
  /** Drops holds: their calls' rows are committed (and now counted) or the calls never ran. */
  release(ids: readonly number[]): Promise<void>;
}
