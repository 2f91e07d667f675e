/**
 * The sidecar's balance schedule: a check every `checkMs` refreshes when the newest stored
 * snapshot (from any process) is older than `intervalMs`, or when $1 has been metered since it.
 * Refreshes are coalesced (one in flight), back off on failure, and the last run of reconciliation
 * is redone every `reconcileMs`. Nothing here runs on a call's path. See decision 0023.
 */
import { errorMessage } from '../errors.js';
import type { BalanceSnapshot } from '../ledger/store.js';
import { reconcileDays } from './reconcile.js';
import { refreshBalance, type RefreshDeps } from './snapshot.js';

export interface BalanceSchedule {
  checkMs: number;
  intervalMs: number;
  spendNano: number;
  reconcileMs: number;
  reconcileDays: number;
  maxBackoffMs: number;
}

export const DEFAULT_SCHEDULE: BalanceSchedule = {
  checkMs: 30_000,
  intervalMs: 10 * 60_000,
  spendNano: 1_000_000_000,
  reconcileMs: 60 * 60_000,
  reconcileDays: 7,
  maxBackoffMs: 60 * 60_000,
};

export interface BalanceMonitorDeps extends RefreshDeps {
  /** The provider name CometAPI's calls carry in the ledger. */
  provider: string;
  billingTimeZone: string;
  schedule?: Partial<BalanceSchedule>;
}

export interface BalanceMonitor {
  /** Refreshes now, or joins the refresh already under way. */
  refresh(): Promise<BalanceSnapshot>;
  /** One scheduled check (the timer calls it). */
  check(): Promise<void>;
  start(): void;
  /** Stops the schedule and waits for a check under way, so the ledger can close after it. */
  close(): Promise<void>;
}

export function createBalanceMonitor(deps: BalanceMonitorDeps): BalanceMonitor {
  const schedule = { ...DEFAULT_SCHEDULE, ...deps.schedule };
  let inFlight: Promise<BalanceSnapshot> | null = null;
  let failures = 0;
  let retryAt = 0;
  let reconciledAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let checking: Promise<void> | null = null;

  function refresh(): Promise<BalanceSnapshot> {
    inFlight ??= refreshBalance(deps)
      .then((snapshot) => {
        failures = snapshot.error === null ? 0 : failures + 1;
        // 30 s, 60 s, 2 min … doubling up to maxBackoffMs while the service keeps failing.
        retryAt = failures === 0 ? 0 : deps.clock() + Math.min(schedule.maxBackoffMs, schedule.checkMs * 2 ** failures);
        return snapshot;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  }

  async function due(now: number): Promise<boolean> {
    if (now < retryAt) return false;
    const good = await deps.store.balance.latestGood();
    if (!good || now - good.taken_at >= schedule.intervalMs) return true;
    return (await deps.store.balance.meteredSince(deps.provider, good.taken_at)) >= schedule.spendNano;
  }

  async function check(): Promise<void> {
    const now = deps.clock();
    if (inFlight || !(await due(now))) return;
    const snapshot = await refresh();
    if (snapshot.error !== null || now - reconciledAt < schedule.reconcileMs || closed) return;
    reconciledAt = now;
    await reconcileDays(
      { ...deps, timeZone: deps.billingTimeZone, days: schedule.reconcileDays },
      { store: true },
    ).catch((error: unknown) => deps.logger.warn('reconciliation not run', { error: errorMessage(error) }));
  }

  return {
    refresh,
    check,
    start() {
      if (timer || closed) return;
      const tick = () => {
        if (checking || closed) return;
        checking = check()
          .catch((error: unknown) => deps.logger.warn('balance check failed', { error: errorMessage(error) }))
          .finally(() => (checking = null));
      };
      tick();
      timer = setInterval(tick, schedule.checkMs);
      timer.unref();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await checking;
    },
  };
}
