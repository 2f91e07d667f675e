import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { allCalls } from './helpers/ledger.js';
import { BUILT_CLI, tempDir } from './helpers/harness.js';

it('demo drives real MCP sessions against the simulated upstream into its own ledger and prints usage', async () => {
  const dir = tempDir();
  const run = spawnSync(process.execPath, [BUILT_CLI, 'demo', '--calls', '40', '--no-dashboard'], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, COMETAPI_MCP_DATA_DIR: dir, COMETAPI_MCP_LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('DEMO MODE');
  expect(run.stdout).toContain('SIMULATED');
  const store = openSqliteStore({ file: path.join(dir, 'demo-ledger.db') });
  try {
    const rows = (await allCalls(store)).filter((r) => r.tool !== 'get_usage');
    // get_usage reads the ledger and makes no upstream call, so it writes no row.
    expect(rows.length).toBeGreaterThan(10);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['demo']));
    expect(new Set(rows.map((r) => r.provider))).toEqual(new Set(['simulated']));
    expect(new Set(rows.map((r) => r.client)).size).toBeGreaterThanOrEqual(3);
    expect(rows.some((r) => r.status === 'error')).toBe(true);
    // Several sessions per client, and one of them looping into the guard's refusal.
    const sessionsOf = (client: string) => new Set(rows.filter((r) => r.client === client).map((r) => r.session));
    expect(sessionsOf('Cherry Studio').size).toBeGreaterThanOrEqual(2);
    expect(sessionsOf('Cursor').size).toBe(3);
    const refused = rows.filter((r) => r.error_type === 'loop_guard');
    expect(refused.map((r) => r.status)).toEqual(['blocked', 'blocked']);
    expect(new Set(refused.map((r) => r.session)).size).toBe(1);
    for (const model of new Set(rows.map((r) => r.model_used).filter(Boolean)))
      expect(run.stdout).toContain(String(model));
  } finally {
    await store.close();
  }
  // The real ledger is untouched.
  expect(fs.existsSync(path.join(dir, 'ledger.db'))).toBe(false);
  fs.rmSync(dir, { recursive: true, force: true });
});
