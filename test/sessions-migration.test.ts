import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../src/ledger/sqlite/open.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { tempDir } from './helpers/harness.js';
import { allCalls, callRecord } from './helpers/ledger.js';
import { capEverySession } from './helpers/sessions.js';

/** A ledger written before sessions existed keeps every call, quota and alert through migration 0010. */
it('migrates a SQLite ledger from before sessions without losing its quotas, alerts or calls', async () => {
  const dir = tempDir();
  const before = path.join(dir, 'before-sessions');
  fs.mkdirSync(before);
  for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f < '0010'))
    fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(before, file));
  const file = path.join(dir, 'ledger.db');
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, before);
  db.prepare(
    `INSERT INTO quotas (id, name, scope, scope_value, metric, period, time_zone, limit_amount, thresholds, hard, created_at, updated_at)
     VALUES (7, 'daily-cost', 'model', 'gpt-4o', 'cost', 'day', 'UTC', 5000000, '[50,100]', 1, 1, 2)`,
  ).run();
  db.prepare(
    `INSERT INTO alerts (id, quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery, delivery_attempts)
     VALUES (3, 7, 1000, 50, 2500000, 5000000, 'passed 50%', 1500, 'delivered', 1)`,
  ).run();
  const { ts, model_used } = callRecord();
  db.prepare(
    `INSERT INTO calls (ts, source, tool, provider, model_requested, model_used, cost_micro_usd, status)
     VALUES (?, 'mcp-stdio', 'chat', 'cometapi', 'gpt-4o', ?, ?, 'ok')`,
  ).run(ts, model_used, 1234);
  db.close();

  const store = openSqliteStore({ file });
  try {
    expect(await store.quotas.list()).toMatchObject([
      { id: 7, name: 'daily-cost', scope: 'model', scope_value: 'gpt-4o', thresholds: [50, 100], hard: true },
    ]);
    expect(await store.alerts.get(3)).toMatchObject({ quota_id: 7, threshold: 50, session: '', delivery_attempts: 1 });
    // The old alert still counts as fired, and the new scope is accepted.
    expect(await store.alerts.firedThresholds(7, 1000)).toEqual(new Set([50]));
    expect(await capEverySession(store, 'per-session', 3)).toMatchObject({ scope: 'session', scope_value: null });
    expect((await allCalls(store)).map((r) => [r.model_used, r.session])).toEqual([[model_used, null]]);
    // Deleting a quota still cascades to its alerts: the rebuilt tables kept their foreign key.
    await store.quotas.remove('daily-cost');
    expect(await store.alerts.get(3)).toBeUndefined();
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
