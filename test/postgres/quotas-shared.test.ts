/**
 * Exact shared hard quotas on PostgreSQL: eight writer processes (eight laptops, each its own
 * runtime and pool) with distinct client names and four calls in flight each, against one hard
 * limit of 100 requests on one ledger. SQLite's check may let k-1 extra through (quotas-concurrency);
 * holds in one transaction let exactly the limit through, and alerts fire once across processes.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/ledger/postgres/store.js';
import { setQuota } from '../../src/quotas/manage.js';
import { periodWindow } from '../../src/quotas/state.js';
import type { RunningSimulatedUpstream } from '../../src/upstream/simulated.js';
import { startTestUpstream, tempDir } from '../helpers/harness.js';
import { allCalls } from '../helpers/ledger.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/quota-harness.js';
import { runQuotaWriters, type QuotaWriterOutcome } from '../helpers/quota-writers.js';
import { POSTGRES_AVAILABLE, requirePostgres, usePostgres } from './cluster.js';

requirePostgres('shared hard quota tests');

const PROCESSES = 8;
const IN_FLIGHT = 4;
const CALLS_EACH = 20;
const LIMIT = 100;
const THRESHOLDS = [25, 50, 75, 100];

type Outcome = QuotaWriterOutcome;

describe.runIf(POSTGRES_AVAILABLE)('eight processes against one hard quota on PostgreSQL', () => {
  const database = usePostgres();
  let store: PostgresStore;
  let sim: RunningSimulatedUpstream;
  let hook: WebhookReceiver;
  let home: string;
  beforeAll(async () => {
    store = await openPostgresStore({ url: database.url });
    sim = await startTestUpstream({ latencyMs: 20 });
    hook = await startWebhookReceiver();
    home = tempDir();
  });
  afterAll(async () => {
    await store.close();
    await sim.close();
    await hook.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** Starts every writer, waits until all are ready, then releases them together. */
  function runWriters(): Promise<Outcome[]> {
    return runQuotaWriters(
      Array.from({ length: PROCESSES }, (_, i) => ({
        HOME: home,
        COMETAPI_BASE_URL: sim.baseUrl,
        COMETAPI_MCP_DATABASE_URL: database.url,
        COMETAPI_MCP_WEBHOOK_URL: hook.url,
        CALLS: String(CALLS_EACH),
        CONCURRENCY: String(IN_FLIGHT),
        CLIENT_NAME: `laptop-${i}`,
      })),
    );
  }

  it('let exactly 100 calls reach the upstream, refuse the rest before it, and fire each threshold once', async () => {
    await setQuota(
      store.quotas,
      { name: 'team-requests', metric: 'requests', period: 'day', limit: LIMIT, hard: true, thresholds: THRESHOLDS },
      { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
    );
    const outcomes = await runWriters();
    const sum = (key: keyof Outcome) => outcomes.reduce((n, o) => n + o[key], 0);
    expect(sum('ok')).toBe(LIMIT);
    expect(sum('failed')).toBe(0);
    expect(sum('refused')).toBe(PROCESSES * CALLS_EACH - LIMIT);
    expect(sim.requests).toBe(LIMIT);

    const rows = await allCalls(store);
    expect(rows.filter((r) => r.status === 'ok')).toHaveLength(LIMIT);
    expect(rows.filter((r) => r.status === 'blocked')).toHaveLength(PROCESSES * CALLS_EACH - LIMIT);
    expect(new Set(rows.map((r) => r.client))).toEqual(new Set(outcomes.map((_, i) => `laptop-${i}`)));

    const alerts = (await store.alerts.recent(100)).map((a) => [a.threshold, a.delivery]);
    expect(alerts.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(THRESHOLDS.map((t) => [t, 'delivered']));
    // Only the process whose insert won delivers: one webhook post and one MCP notice per threshold.
    const posted = hook.bodies.map((b) => (b as { alert: { threshold: number } }).alert.threshold);
    expect(posted.sort((a, b) => a - b)).toEqual(THRESHOLDS);
    expect(sum('notices')).toBe(THRESHOLDS.length);
    // Every hold was released once its row was written: what is left counted is the 100 rows.
    const [quota] = await store.quotas.list();
    if (!quota) throw new Error('the quota is gone');
    const now = Date.now();
    const probe = { quota, window: periodWindow(quota, now), amount: 0, now, expiresAt: now + 1 };
    expect(await store.reservations.hold(probe)).toEqual({ granted: false, used: LIMIT });
  }, 120_000);
});
