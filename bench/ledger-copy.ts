/**
 * `ledger copy` at size: seeds N calls into a SQLite ledger, copies them into a fresh PostgreSQL
 * database, checks counts and cost and token sums on both sides, and runs the copy again (it must
 * copy nothing). PostgreSQL as in bench/proxy-postgres.ts.
 *
 *   npx tsx bench/ledger-copy.ts [rows, default 1000000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyLedger } from '../src/ledger/copy-ledger.js';
import { openPostgresStore } from '../src/ledger/postgres/store.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../src/ledger/store.js';
import { randomRecords } from '../test/postgres/rows.js';
import { freshDatabase, benchPostgres } from './postgres.js';

const DAY = 86_400_000;

const totals = async (store: LedgerStore, until: number) => {
  const { total } = await store.queries.usageReport({ since: 0, until, by: 'model', timeZone: 'UTC' });
  return {
    calls: await store.calls.count(),
    requests: total.requests,
    tokens: total.prompt_tokens + total.completion_tokens,
    cost_usd: total.cost_usd,
  };
};

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? '1000000');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-copy-'));
  const server = await benchPostgres();
  try {
    const span = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 1) + 30 * DAY };
    const sqlite = openSqliteStore({ file: path.join(dir, 'personal.db') });
    for (let i = 0; i < rows; i += 10_000)
      await sqlite.calls.recordMany(randomRecords(Math.min(10_000, rows - i), i, span));
    const url = await freshDatabase(server.adminUrl);
    const team = await openPostgresStore({ url });
    const t0 = performance.now();
    const first = await copyLedger(sqlite, team, { batch: 5_000 });
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const second = await copyLedger(sqlite, team, { batch: 5_000 });
    const secondMs = performance.now() - t1;
    const [a, b] = [await totals(sqlite, span.to + 1), await totals(team, span.to + 1)];
    process.stdout.write(
      `${rows.toLocaleString('en-US')} calls SQLite → PostgreSQL: ${first.calls.toLocaleString('en-US')} copied in ${seconds.toFixed(1)} s ` +
        `(${Math.round(first.calls / seconds).toLocaleString('en-US')} rows/s); second run copied ${second.calls} in ${secondMs.toFixed(0)} ms\n` +
        `source ${JSON.stringify(a)}\ntarget ${JSON.stringify(b)}\n${JSON.stringify(a) === JSON.stringify(b) ? 'EQUAL' : 'DIFFERENT'}\n`,
    );
    await team.close();
    await sqlite.close();
  } finally {
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
