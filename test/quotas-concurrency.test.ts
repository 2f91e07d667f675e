import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../src/ledger/store.js';
import { setQuota } from '../src/quotas/manage.js';
import type { RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { startTestUpstream, tempDir } from './helpers/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/quota-harness.js';
import { runQuotaWriters, type QuotaWriterOutcome } from './helpers/quota-writers.js';

const PROCESSES = 4;
const CALLS_EACH = 10;

type Outcome = QuotaWriterOutcome;

let dir: string;
let ledger: LedgerStore;
/** The test's own connection, for reading back what the writers committed. */
let raw: Database.Database;
let sim: RunningSimulatedUpstream | undefined;
let hook: WebhookReceiver | undefined;
beforeEach(() => {
  dir = tempDir('cometapi-mcp-quota-procs-');
  ledger = openSqliteStore({ file: path.join(dir, 'ledger.db') });
  raw = new Database(ledger.location);
});
afterEach(async () => {
  raw.close();
  await ledger.close();
  await sim?.close();
  await hook?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the writers, waits until each is ready, then releases them together. */
async function runWriters(options: { concurrency: number; webhookUrl?: string }): Promise<Outcome[]> {
  if (!sim) throw new Error('start the simulated upstream first');
  const baseUrl = sim.baseUrl;
  return runQuotaWriters(
    Array.from({ length: PROCESSES }, (_, i) => ({
      HOME: dir,
      COMETAPI_BASE_URL: baseUrl,
      COMETAPI_MCP_DB: ledger.location,
      CALLS: String(CALLS_EACH),
      CONCURRENCY: String(options.concurrency),
      CLIENT_NAME: `writer-${i}`,
      ...(options.webhookUrl ? { COMETAPI_MCP_WEBHOOK_URL: options.webhookUrl } : {}),
    })),
  );
}

const total = (outcomes: Outcome[], key: keyof Outcome) => outcomes.reduce((sum, o) => sum + o[key], 0);
const statuses = () =>
  raw.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM calls GROUP BY status').all();

describe('four writer processes on one ledger', () => {
  it('crossing the same thresholds together fire each alert exactly once, delivered once', async () => {
    sim = await startTestUpstream();
    hook = await startWebhookReceiver();
    const limit = PROCESSES * CALLS_EACH;
    await setQuota(
      ledger.quotas,
      { name: 'shared', metric: 'requests', period: 'day', limit, thresholds: [25, 50, 75, 100] },
      { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
    );

    const outcomes = await runWriters({ concurrency: 2, webhookUrl: hook.url });
    expect(total(outcomes, 'ok')).toBe(limit);
    const alerts = raw
      .prepare<[], { threshold: number; delivery: string }>('SELECT threshold, delivery FROM alerts ORDER BY threshold')
      .all();
    expect(alerts).toEqual([25, 50, 75, 100].map((threshold) => ({ threshold, delivery: 'delivered' })));
    // Only the process whose insert won delivers: one webhook post and one MCP notice per alert.
    expect(
      hook.bodies.map((b) => (b as { alert: { threshold: number } }).alert.threshold).sort((a, b) => a - b),
    ).toEqual([25, 50, 75, 100]);
    expect(total(outcomes, 'notices')).toBe(4);
  }, 60_000);

  it.each([1, 4])(
    'a hard limit with %i call(s) in flight per process overshoots by at most the calls in flight',
    async (concurrency) => {
      sim = await startTestUpstream({ latencyMs: 40 });
      const limit = 20;
      await setQuota(
        ledger.quotas,
        { name: 'hard-requests', metric: 'requests', period: 'day', limit, hard: true },
        { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
      );

      const outcomes = await runWriters({ concurrency });
      const ok = total(outcomes, 'ok');
      const inFlight = PROCESSES * concurrency;
      process.stderr.write(
        `quota concurrency: ${PROCESSES} processes x ${concurrency} in flight, ${PROCESSES * CALLS_EACH} calls, hard limit ${limit} requests: ` +
          `${ok} got through (overshoot ${ok - limit}, bound ${inFlight - 1}), ${total(outcomes, 'refused')} refused\n`,
      );
      // A check never counts calls still in flight, so it never refuses too early...
      expect(ok).toBeGreaterThanOrEqual(limit);
      // ...and can let through at most one call per other call in flight when the limit is reached.
      expect(ok - limit).toBeLessThanOrEqual(inFlight - 1);
      expect(total(outcomes, 'failed')).toBe(0);
      expect(total(outcomes, 'refused')).toBe(PROCESSES * CALLS_EACH - ok);
      // Refused calls never reached the upstream, and each is a blocked row.
      expect(sim.requests).toBe(ok);
      expect(statuses()).toEqual([
        { status: 'blocked', n: PROCESSES * CALLS_EACH - ok },
        { status: 'ok', n: ok },
      ]);
    },
    60_000,
  );
});
