/**
 * Costs in whole nano-USD (docs/decisions/0022-costs-in-nano-usd.md): a million 10-token
 * embeddings add up exactly instead of rounding to $0, and the migration from micro-USD scales
 * every stored amount (calls, rollups, cost quotas, their alerts) by exactly 1000, on both engines.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool } from '../src/ledger/postgres/connect.js';
import { migrate as migratePostgres, POSTGRES_MIGRATIONS_DIR } from '../src/ledger/postgres/migrate.js';
import { openPostgresStore } from '../src/ledger/postgres/store.js';
import { parsePostgresUrl } from '../src/ledger/postgres/target.js';
import { migrate as migrateSqlite, MIGRATIONS_DIR } from '../src/ledger/sqlite/open.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../src/ledger/store.js';
import { createPriceTable } from '../src/upstream/prices.js';
import { formatUsd } from '../src/usage-format.js';
import { createTestDatabase, POSTGRES_AVAILABLE } from './postgres/cluster.js';
import { tempDir } from './helpers/harness.js';
import { callRecord } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const DAY = { from: Date.UTC(2025, 0, 15), to: Date.UTC(2025, 0, 16) };
const EMBEDDING = {
  tool: 'create_embeddings',
  model_requested: 'text-embedding-3-small',
  model_used: 'text-embedding-3-small',
};

/**
 * Calls per engine: a million on SQLite (~20 s here); PostgreSQL takes ~60 s for a million on this
 * machine, too slow for every run, so it sums 100,000, which shows the same exactness.
 */
const EMBEDDINGS = { sqlite: 1_000_000, postgres: 100_000 } as const;

describe.each(ledgerEngines('nano-USD costs'))('costs in nano-USD on $name', (engine) => {
  it('many 10-token embeddings add up exactly (a million cost $0.20), not to $0', async () => {
    const ledger = await engine.open();
    try {
      // text-embedding-3-small: $0.02 per million tokens, so 10 tokens are 0.2 µ$ = 200 n$.
      const cost = createPriceTable().costNanoUsd('text-embedding-3-small', {
        prompt_tokens: 10,
        completion_tokens: 0,
        cached_tokens: 0,
        images: 0,
      });
      expect(cost).toBe(200);
      expect(formatUsd((cost ?? 0) / 1e9)).toBe('$0.0000002');
      const count = EMBEDDINGS[engine.name];
      const row = callRecord({ ...EMBEDDING, prompt_tokens: 10, completion_tokens: 0, cost_nano_usd: cost });
      for (let done = 0; done < count; done += 10_000)
        await ledger.store.calls.recordMany(Array.from({ length: 10_000 }, () => row));
      const summary = await ledger.store.queries.summary(DAY);
      expect(summary.requests).toBe(count);
      expect(summary.cost_usd).toBe((count * 200) / 1e9); // $0.20 for a million
      const report = await ledger.store.queries.usageReport({
        since: DAY.from,
        until: DAY.to,
        by: 'model',
        timeZone: 'UTC',
      });
      expect(report.total.cost_usd).toBe((count * 200) / 1e9);
    } finally {
      await ledger.cleanup();
    }
  }, 120_000);
});

/** The migrations before the nano one, in a folder of their own: a ledger as it was before it. */
function migrationsBefore(dir: string, first: string): string {
  const older = path.join(tempDir('cometapi-mcp-migrations-'), 'older');
  fs.mkdirSync(older);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.sql') && f < first))
    fs.copyFileSync(path.join(dir, file), path.join(older, file));
  return older;
}

/** Rows as the micro-USD ledger held them: two priced calls and one unpriced, a rollup, two quotas, an alert. */
const OLD_ROWS = [
  `INSERT INTO calls (ts, source, tool, provider, model_requested, status, cost_micro_usd) VALUES
     (1736942400000, 'mcp-stdio', 'chat', 'cometapi', 'gpt-4o-mini', 'ok', 1),
     (1736942400000, 'mcp-stdio', 'chat', 'cometapi', 'gpt-4o-mini', 'ok', 1234567),
     (1736942400000, 'mcp-stdio', 'chat', 'cometapi', 'qwen3-coder-plus', 'ok', NULL)`,
  `INSERT INTO call_rollups (dim, key, start_ms, requests, ok, errors, blocked, prompt_tokens, completion_tokens,
     cost_micro_usd, unpriced, estimated, retries, images{hist}) VALUES ('model', 'gpt-4o-mini', 1736942400000,
     2, 2, 0, 0, 0, 0, 1234568, 0, 0, 0, 0{histValues})`,
  // The rollups already count these calls.
  'UPDATE call_rollup_watermark SET last_call_id = 3',
  `INSERT INTO quotas (name, scope, metric, period, time_zone, limit_amount, created_at, updated_at) VALUES
     ('daily-cost', 'global', 'cost', 'day', 'UTC', 5000000, 0, 0), ('daily-tokens', 'global', 'tokens', 'day', 'UTC', 5000000, 0, 0)`,
  `INSERT INTO alerts (quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery) VALUES
     (1, 0, 50, 2500001, 5000000, 'half', 0, 'delivered')`,
];

async function expectConverted(store: LedgerStore) {
  expect((await store.calls.after(0, 10)).map((r) => r.cost_nano_usd)).toEqual([1000, 1_234_567_000, null]);
  // Whole hours come from the rollup row, which moved with the calls.
  const breakdown = await store.queries.breakdown({ from: 1736942400000, to: 1736942400000 + 3_600_000 }, 'model');
  expect(breakdown.rows.find((r) => r.key === 'gpt-4o-mini')?.cost_usd).toBe(1.234568);
  expect((await store.quotas.list()).map((q) => [q.name, q.limit_amount])).toEqual([
    ['daily-cost', 5_000_000_000],
    ['daily-tokens', 5_000_000],
  ]);
  expect((await store.alerts.recent(10)).map((a) => [a.used_amount, a.limit_amount])).toEqual([
    [2_500_001_000, 5_000_000_000],
  ]);
}

describe('the micro-USD to nano-USD migration', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('on SQLite multiplies every stored amount by exactly 1000', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'ledger.db');
    const db = new Database(file);
    migrateSqlite(db, migrationsBefore(MIGRATIONS_DIR, '0011'));
    for (const sql of OLD_ROWS)
      db.exec(sql.replace('{hist}', ', latency_hist, ttft_hist').replace('{histValues}', ", '', ''"));
    db.close();
    const store = openSqliteStore({ file });
    cleanups.push(() => store.close());
    await expectConverted(store);
  });

  it.runIf(POSTGRES_AVAILABLE)('on PostgreSQL multiplies every stored amount by exactly 1000', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const pool = createPool(parsePostgresUrl(database.url));
    await migratePostgres(pool, migrationsBefore(POSTGRES_MIGRATIONS_DIR, '0007'));
    for (const sql of OLD_ROWS) await pool.query(sql.replace('{hist}', '').replace('{histValues}', ''));
    await pool.end();
    const store = await openPostgresStore({ url: database.url });
    cleanups.push(() => store.close());
    await expectConverted(store);
  });
});
