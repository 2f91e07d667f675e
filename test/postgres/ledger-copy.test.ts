/**
 * `cometapi-mcp ledger copy`: a personal SQLite ledger into a team PostgreSQL one and back, with
 * exact counts and sums, nothing doubled on a second run, resumed after the copying process was
 * killed, and quotas and alert history brought along.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerCommand } from '../../src/commands/ledger.js';
import { loadConfig } from '../../src/config.js';
import { CALL_COLUMNS } from '../../src/ledger/calls.js';
import { recordOfRow } from '../../src/ledger/copies.js';
import { openPostgresStore } from '../../src/ledger/postgres/store.js';
import { openSqliteStore } from '../../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../../src/ledger/store.js';
import { setQuota } from '../../src/quotas/manage.js';
import { BUILT_CLI, tempDir } from '../helpers/harness.js';
import { allCalls } from '../helpers/ledger.js';
import { POSTGRES_AVAILABLE, requirePostgres, usePostgres } from './cluster.js';
import { randomRecords } from './rows.js';

requirePostgres('ledger copy tests');

const ROWS = 20_000;
const SPAN = { from: Date.UTC(2025, 4, 1), to: Date.UTC(2025, 5, 1) };

/** Every row without its id, sorted: equal exactly when two ledgers hold the same calls. */
const contents = async (store: LedgerStore) =>
  (await allCalls(store))
    .map((row) => {
      const record = recordOfRow(row);
      return JSON.stringify(CALL_COLUMNS.map((column) => record[column] ?? null));
    })
    .sort();

const totals = async (store: LedgerStore) =>
  (await store.queries.usageReport({ since: 0, until: SPAN.to + 1, by: 'model', timeZone: 'UTC' })).total;

async function withStore<T>(open: () => Promise<LedgerStore> | LedgerStore, use: (s: LedgerStore) => Promise<T>) {
  const store = await open();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

describe.runIf(POSTGRES_AVAILABLE)('ledger copy between SQLite and PostgreSQL', () => {
  const database = usePostgres();
  let dir: string;
  let personal: string;
  beforeAll(async () => {
    dir = tempDir('cometapi-mcp-copy-');
    personal = path.join(dir, 'personal.db');
    await withStore(
      () => openSqliteStore({ file: personal }),
      async (store) => {
        const records = randomRecords(ROWS, 11, SPAN);
        for (let i = 0; i < records.length; i += 5_000) await store.calls.recordMany(records.slice(i, i + 5_000));
        const at = { defaultTimeZone: 'UTC', now: SPAN.from, mode: 'upsert' as const };
        await setQuota(store.quotas, { name: 'daily-cost', metric: 'cost', period: 'day', limit: 2.5, hard: true }, at);
        const price = { input_per_mtok: 0.3, output_per_mtok: 1.2 };
        await store.prices.apply({ model: 'gpt-4o-mini', price, now: SPAN.from });
        await store.balance.setRule('low-balance', 5_000_000_000, SPAN.from);
        const monthly = await setQuota(
          store.quotas,
          { name: 'monthly-tokens', metric: 'tokens', period: 'month', limit: 1e6 },
          at,
        );
        for (const threshold of [50, 80]) {
          const alert = { quota_id: monthly.id, period_start: SPAN.from, threshold, used_amount: threshold * 1e4 };
          const fired = await store.alerts.fire({
            ...alert,
            limit_amount: 1e6,
            message: `monthly-tokens at ${threshold} %`,
            fired_at: SPAN.from + threshold,
            delivery: 'pending',
          });
          if (fired)
            await store.alerts.recordAttempt(fired.id, {
              delivery: 'delivered',
              attempts: 2,
              error: null,
              at: SPAN.from + 99,
            });
        }
      },
    );
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const copy = async (args: string[]) => {
    let out = '';
    let progress = '';
    const config = loadConfig({ COMETAPI_MCP_DB: personal, COMETAPI_MCP_DATA_DIR: dir, COMETAPI_MCP_TZ: 'UTC' });
    await runLedgerCommand(
      ['copy', ...args],
      config,
      (t) => (out += t),
      (t) => (progress += t),
    );
    return { out, progress };
  };

  it('copies every call, quota, alert, stored price and low-balance rule into PostgreSQL exactly, and a second run copies nothing', async () => {
    const first = await copy(['--to', database.url]);
    expect(first.progress).toContain(`copying calls: 20,000 of 20,000`);
    expect(first.out).toMatch(
      /20000 calls copied now \(0 by earlier runs\), quotas: copied daily-cost, monthly-tokens, 2 alerts copied, stored prices: copied gpt-4o-mini, low-balance alerts: copied low-balance\./,
    );
    const [source, team] = await Promise.all([
      withStore(
        () => openSqliteStore({ file: personal }),
        async (s) => ({ rows: await contents(s), totals: await totals(s) }),
      ),
      withStore(
        () => openPostgresStore({ url: database.url }),
        async (s) => ({
          rows: await contents(s),
          totals: await totals(s),
          quotas: await s.quotas.list(),
          alerts: await s.alerts.recent(10),
          prices: await s.prices.list(),
          rules: await s.balance.rules(),
        }),
      ),
    ]);
    expect(team.rows).toHaveLength(ROWS);
    expect(team.rows).toEqual(source.rows);
    expect(team.totals).toEqual(source.totals);
    expect(team.quotas.map((q) => [q.name, q.metric, q.limit_amount, q.hard])).toEqual([
      ['daily-cost', 'cost', 2_500_000_000, true],
      ['monthly-tokens', 'tokens', 1_000_000, false],
    ]);
    expect(team.alerts.map((a) => [a.quota_name, a.threshold, a.delivery, a.delivery_attempts])).toEqual([
      ['monthly-tokens', 80, 'delivered', 2],
      ['monthly-tokens', 50, 'delivered', 2],
    ]);

    expect(team.prices.map((p) => [p.model, p.price, p.updated_at])).toEqual([
      ['gpt-4o-mini', { input_per_mtok: 0.3, output_per_mtok: 1.2 }, SPAN.from],
    ]);
    expect(team.rules.map((r) => [r.name, r.below_nano, r.armed])).toEqual([['low-balance', 5_000_000_000, true]]);

    const again = await copy(['--to', database.url]);
    expect(again.out).toMatch(
      /0 calls copied now \(20000 by earlier runs\), quotas: none copied; kept the target's daily-cost, monthly-tokens, 0 alerts copied, stored prices: none copied; kept the target's gpt-4o-mini, low-balance alerts: none copied; kept the target's low-balance\./,
    );
    await withStore(
      () => openPostgresStore({ url: database.url }),
      async (s) => {
        expect(await s.calls.count()).toBe(ROWS);
        expect(await s.alerts.recent(10)).toHaveLength(2);
      },
    );
  }, 120_000);

  it('resumes after the copying process is killed mid-way, and copies back into a file exactly', async () => {
    const target = await database.another();
    const child = spawn(process.execPath, [BUILT_CLI, 'ledger', 'copy', '--to', target, '--batch', '500'], {
      env: { PATH: process.env.PATH, COMETAPI_MCP_DB: personal, COMETAPI_MCP_DATA_DIR: dir },
    });
    // Killed once some batches are in, well before the last.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        if (/copying calls: [2-9],\d{3} of/.test(chunk.toString())) resolve();
      }),
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const partial = await withStore(
      () => openPostgresStore({ url: target }),
      (s) => s.calls.count(),
    );
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ROWS);
    expect(partial % 500).toBe(0); // whole batches, each with its progress mark

    const resumed = await copy(['--to', target]);
    expect(resumed.out).toContain(`${ROWS - partial} calls copied now (${partial} by earlier runs)`);

    const back = path.join(dir, 'back.db');
    const returned = await copy(['--from', target, '--to', back]);
    expect(returned.out).toMatch(
      /20000 calls copied now .* quotas: copied daily-cost, monthly-tokens, 2 alerts copied/,
    );
    const [source, file] = await Promise.all(
      [personal, back].map((f) =>
        withStore(
          () => openSqliteStore({ file: f }),
          async (s) => ({ rows: await contents(s), totals: await totals(s) }),
        ),
      ),
    );
    expect(file?.rows).toEqual(source?.rows);
    expect(file?.totals).toEqual(source?.totals);
  }, 120_000);
});
