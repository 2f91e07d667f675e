import type { AlertNotifier } from '../alerts/notify.js';
import { QuotaExceededError, errorMessage } from '../errors.js';
import { appliedTo, matchesScope, type CallSubject } from '../ledger/quota-usage.js';
import type { CallRecord, LedgerStore, Quota, ReservationStore } from '../ledger/store.js';
import type { Logger } from '../log.js';
import type { CallGuard, GuardHold, PendingCall } from '../metering.js';
import { alertMessage, blockedMessage, unpricedMessage } from './format.js';
import type { QuotaMetric } from './schema.js';
import { periodWindow, type PeriodWindow } from './state.js';

export interface QuotaGuardDeps {
  store: LedgerStore;
  notifier: AlertNotifier;
  logger: Logger;
  clock?: () => number;
  /** How long a hold counts when its call never releases it (its process died); 15 minutes by default. */
  holdTtlMs?: number;
}

const DEFAULT_HOLD_TTL_MS = 15 * 60_000;

/**
 * What a call may use, in the quota's unit, before it runs; null when it cannot be known (an
 * unpriced model under a cost quota). See docs/decisions/0015-quota-estimates.md.
 */
export function estimateAmount(metric: QuotaMetric, pending: PendingCall): number | null {
  switch (metric) {
    case 'requests':
      return 1;
    case 'images':
      return pending.estimate.images;
    case 'tokens':
      return pending.estimate.prompt_tokens + pending.estimate.max_completion_tokens;
    case 'cost':
      return pending.estimatedCostNanoUsd;
  }
}

/** Alerts of a session quota are kept per session; '' for every other quota. */
const sessionOf = (quota: Quota): string => (quota.scope === 'session' ? (quota.scope_value ?? '') : '');

const pendingSubject = (p: PendingCall): CallSubject => ({
  model: p.model,
  tool: p.ctx.tool,
  client: p.ctx.client,
  provider: p.provider,
  session: p.ctx.session ?? null,
});
const recordSubject = (r: CallRecord): CallSubject => ({
  model: r.model_used ?? r.model_requested,
  tool: r.tool,
  client: r.client,
  provider: r.provider,
  session: r.session ?? null,
});

/**
 * Hard quotas are checked before the upstream is touched; after each row is written every quota
 * the call counts toward is re-measured and thresholds it has crossed fire. Usage is always read
 * from the ledger, so every process sharing it sees every other's calls. Where the store offers
 * reservations (PostgreSQL) the check holds the call's estimate in the same step, released once
 * the row is written, so calls in flight on many machines never pass a limit together; without
 * them (SQLite) calls already in flight when the limit is reached can overshoot it.
 */
export function createQuotaGuard(deps: QuotaGuardDeps): CallGuard {
  const clock = deps.clock ?? Date.now;
  const { store } = deps;
  // Thresholds known to have fired, per quota and period: an alert never un-fires, so once seen
  // here the ledger need not be asked again. Keys of ended periods are dropped as periods turn.
  const knownFired = new Map<string, Set<number>>();

  /** The thresholds fired in this period; the ledger is asked only when one of `due` is not known to have fired. */
  async function firedThresholds(quota: Quota, periodStart: number, due: number[]): Promise<Set<number>> {
    const session = sessionOf(quota);
    const key = `${quota.id}:${periodStart}:${session}`;
    const known = knownFired.get(key);
    if (known && due.every((t) => known.has(t))) return known;
    const fired = await store.alerts.firedThresholds(quota.id, periodStart, session);
    for (const k of knownFired.keys()) if (k.startsWith(`${quota.id}:`) && k !== key) knownFired.delete(k);
    knownFired.set(key, fired);
    return fired;
  }

  /**
   * Fires each threshold reached and not yet fired. A refusal also fires the highest threshold up
   * to 100 %: a hard quota that reserves a call's estimate can refuse calls before usage itself
   * reaches 100 %, and that is the moment a person wants to hear about.
   */
  async function fireCrossed(quota: Quota, window: PeriodWindow, usedAmount: number, refused: boolean) {
    const limitAlert = Math.max(0, ...quota.thresholds.filter((t) => t <= 100));
    const due = quota.thresholds.filter(
      (t) => usedAmount * 100 >= t * quota.limit_amount || (refused && t === limitAlert),
    );
    if (due.length === 0) return;
    const fired = await firedThresholds(quota, window.start, due);
    for (const threshold of due) {
      if (fired.has(threshold)) continue;
      const alert = await store.alerts.fire({
        quota_id: quota.id,
        period_start: window.start,
        threshold,
        used_amount: usedAmount,
        limit_amount: quota.limit_amount,
        message: alertMessage(quota, threshold, usedAmount, window, refused),
        fired_at: clock(),
        delivery: deps.notifier.initialDelivery,
        session: sessionOf(quota),
      });
      fired.add(threshold);
      // null: another process (or an earlier call) fired it first; only the first one delivers.
      if (alert) deps.notifier.notify(alert, quota);
    }
  }

  async function refuse(quota: Quota, window: PeriodWindow, usedAmount: number, message: string): Promise<never> {
    try {
      await fireCrossed(quota, window, usedAmount, true);
    } catch (error) {
      // Failing to record the alert must not turn a refusal into a different error.
      deps.logger.warn('could not record a quota alert', { quota: quota.name, error: errorMessage(error) });
    }
    throw new QuotaExceededError(message, quota.name);
  }

  /** Holds each hard quota's estimate; refuses (releasing what it held) as soon as one does not fit. */
  async function holdAll(reservations: ReservationStore, pending: PendingCall): Promise<GuardHold | undefined> {
    const now = clock();
    const subject = pendingSubject(pending);
    const held: number[] = [];
    try {
      for (const quota of await store.quotas.list()) {
        // Session quotas are per session, so no two machines share one: the plain check suffices.
        if (!quota.hard || quota.scope === 'session' || !matchesScope(quota, subject)) continue;
        const window = periodWindow(quota, now);
        const need = estimateAmount(quota.metric, pending);
        const expiresAt = now + (deps.holdTtlMs ?? DEFAULT_HOLD_TTL_MS);
        const hold = await reservations.hold({ quota, window, amount: need ?? 0, now, expiresAt });
        if (!hold.granted) await refuse(quota, window, hold.used, blockedMessage(quota, hold.used, need ?? 0, window));
        else held.push(hold.id);
        if (need === null) throw new QuotaExceededError(unpricedMessage(quota, pending.model), quota.name);
      }
    } catch (error) {
      await reservations.release(held);
      throw error;
    }
    return held.length > 0 ? { release: () => reservations.release(held) } : undefined;
  }

  /** Refuses the call when a hard quota has been reached or this call would pass it. */
  async function checkUsage(pending: PendingCall, only: (quota: Quota) => boolean): Promise<void> {
    const now = clock();
    const subject = pendingSubject(pending);
    for (const stored of await store.quotas.list()) {
      if (!stored.hard || !only(stored) || !matchesScope(stored, subject)) continue;
      const quota = appliedTo(stored, subject);
      const window = periodWindow(quota, now);
      const used = (await store.queries.quotaUsage(quota, window))[quota.metric];
      const need = estimateAmount(quota.metric, pending);
      if (used >= quota.limit_amount) await refuse(quota, window, used, blockedMessage(quota, used, need ?? 0, window));
      if (need === null) throw new QuotaExceededError(unpricedMessage(quota, pending.model), quota.name);
      if (used + need > quota.limit_amount)
        await refuse(quota, window, used, blockedMessage(quota, used, need, window));
    }
  }

  return {
    async check(pending) {
      if (store.reservations) {
        await checkUsage(pending, (quota) => quota.scope === 'session');
        return holdAll(store.reservations, pending);
      }
      await checkUsage(pending, () => true);
      return undefined;
    },
    async recorded(record) {
      if (record.status === 'blocked') return; // used nothing, so crossed nothing
      const subject = recordSubject(record);
      for (const stored of await store.quotas.list()) {
        if (!matchesScope(stored, subject)) continue;
        const quota = appliedTo(stored, subject);
        // The period the call started in is the one it counts toward.
        const window = periodWindow(quota, record.ts);
        await fireCrossed(quota, window, (await store.queries.quotaUsage(quota, window))[quota.metric], false);
      }
    },
  };
}
