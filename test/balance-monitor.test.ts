/**
 * The refresh schedule, driven check by check with a settable clock (no timers, no timing
 * asserts): every interval, after the spend threshold, coalesced, shared across processes through
 * the ledger, backing off while the query service fails, and reconciling after a good refresh.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBalanceMonitor, type BalanceSchedule } from '../src/balance/monitor.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { refreshDeps } from './helpers/balance.js';

let h: Harness;
let now: number;
const queries = () => h.sim.responses.filter((r) => r.path === '/user/quota').length;
const monitor = (schedule: Partial<BalanceSchedule> = {}, store = h.runtime.store) =>
  createBalanceMonitor({
    ...refreshDeps(h, store, () => now),
    provider: 'cometapi',
    billingTimeZone: 'UTC',
    schedule,
  });

beforeEach(async () => {
  now = Date.parse('2026-11-20T12:00:00Z');
  h = await startHarness({ clock: () => now });
});
afterEach(() => h.close());

describe('balance schedule', () => {
  it('refreshes when the last snapshot is older than the interval, or after the spend threshold', async () => {
    const m = monitor({ spendNano: 1, reconcileMs: Number.POSITIVE_INFINITY });
    await m.check();
    expect(queries()).toBe(1);
    await m.check();
    expect(queries()).toBe(1);
    now += 9 * 60_000;
    await m.check();
    expect(queries()).toBe(1);
    await h.call('chat', { prompt: 'spend a nano-dollar or two' });
    await m.check();
    expect(queries()).toBe(2);
    now += 10 * 60_000;
    await m.check();
    expect(queries()).toBe(3);
  });

  it('coalesces refreshes, and a snapshot from another process counts as fresh', async () => {
    const m = monitor({ reconcileMs: Number.POSITIVE_INFINITY });
    const [a, b] = await Promise.all([m.refresh(), m.refresh()]);
    expect(a.id).toBe(b.id);
    expect(queries()).toBe(1);
    await monitor({ reconcileMs: Number.POSITIVE_INFINITY }).check(); // a second "process" on the same ledger
    expect(queries()).toBe(1);
  });

  it('backs off while the query service fails, then carries on', async () => {
    const m = monitor({ checkMs: 30_000, reconcileMs: Number.POSITIVE_INFINITY });
    h.sim.enqueueFault({ kind: 'status', status: 503 }, { path: '/user/quota', times: 2 });
    await m.check();
    expect((await h.runtime.store.balance.latest())?.error).toMatch(/HTTP 503/);
    await m.check();
    expect(queries()).toBe(1); // waiting 60 s
    now += 61_000;
    await m.check();
    expect(queries()).toBe(2); // failed again: waiting 120 s
    now += 61_000;
    await m.check();
    expect(queries()).toBe(2);
    now += 60_000;
    await m.check();
    expect((await h.runtime.store.balance.latest())?.error).toBeNull();
  });

  it('reconciles after a good refresh, at most once per reconcile interval', async () => {
    await h.call('chat', { prompt: 'billed' });
    const m = monitor({ intervalMs: 1, reconcileMs: 3_600_000, reconcileDays: 3 });
    await m.check();
    const stored = await h.runtime.store.balance.latestReconciliation();
    expect(stored.map((d) => d.day)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    now += 1000;
    await m.check();
    expect((await h.runtime.store.balance.reconciliationHistory('2026-11-18', 100)).length).toBe(3);
    await m.close();
  });
});
