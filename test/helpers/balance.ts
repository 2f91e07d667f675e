/** The balance pieces over a harness: its ledger, its simulator's query service, its alert channels. */
import type { RefreshDeps } from '../../src/balance/snapshot.js';
import type { ReconcileDeps } from '../../src/balance/reconcile.js';
import { createQueryService } from '../../src/upstream/query-service.js';
import type { LedgerStore } from '../../src/ledger/store.js';
import type { Harness } from './harness.js';

/** A settable clock shared by the runtime and the simulator's billing, starting at noon UTC on `day`. */
export function dayClock(day: string) {
  let now = Date.parse(`${day}T12:00:00Z`);
  return {
    now: () => now,
    /** Moves to noon of the next day. */
    nextDay: () => void (now += 86_400_000),
  };
}

export function refreshDeps(h: Harness, store: LedgerStore = h.runtime.store, clock = Date.now): RefreshDeps {
  return {
    store,
    service: createQueryService(h.config.query, { timeoutMs: 2_000 }),
    notifier: h.runtime.quotas.notifier,
    logger: h.runtime.logger,
    clock,
  };
}

export function reconcileDeps(h: Harness, clock: () => number, days: number): ReconcileDeps {
  return { ...refreshDeps(h, h.runtime.store, clock), provider: 'cometapi', timeZone: 'UTC', days };
}
