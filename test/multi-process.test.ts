/**
 * Several processes writing one ledger at once, as many stdio servers (one per client window) do,
 * and one of them killed mid-write. Each child makes real metered calls against the simulated
 * upstream served here, and prints a call id once that call's row is committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { startTestUpstream, tempDir } from './helpers/harness.js';
import { startWriter } from './helpers/writer-process.js';

let sim: RunningSimulatedUpstream;
let dir: string;
beforeAll(async () => {
  sim = await startTestUpstream();
  dir = tempDir('multi-process-');
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('four processes × 2,000 metered calls: exactly 8,000 rows, none lost or doubled, no SQLITE_BUSY', async () => {
  const db = path.join(dir, 'four.db');
  await openSqliteStore({ file: db }).close(); // migrate once up front, as the first server to start would
  const writers = ['w1', 'w2', 'w3', 'w4'].map((name) => startWriter(db, sim.baseUrl, 2000, name, 90_000));
  const codes = await Promise.all(writers.map((w) => w.exited));
  for (const w of writers) expect(w.stderr.join(''), w.name).toBe('');
  expect(codes).toEqual([0, 0, 0, 0]);

  // A plain connection of the test's own reads back what the writers committed.
  const ledger = new Database(db, { readonly: true });
  try {
    expect(ledger.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(8000);
    const perClient = ledger
      .prepare<[], { client: string; n: number; ok: number }>(
        "SELECT client, COUNT(*) AS n, SUM(status = 'ok') AS ok FROM calls GROUP BY client ORDER BY client",
      )
      .all();
    expect(perClient).toEqual(writers.map((w) => ({ client: w.name, n: 2000, ok: 2000 })));
    const acked = writers.flatMap((w) => w.acked);
    expect(new Set(acked).size).toBe(8000);
    const ids = new Set(
      ledger
        .prepare<[], { id: number }>('SELECT id FROM calls')
        .all()
        .map((r) => r.id),
    );
    expect(acked.every((id) => ids.has(id))).toBe(true);
    expect(sim.responses.length).toBeGreaterThanOrEqual(8000);
  } finally {
    ledger.close();
  }
}, 120_000);

it.each([
  ['one call at a time', 1],
  ['32 calls in flight, so rows share group commits', 32],
])(
  'a writer killed with SIGKILL mid-load (%s) leaves an intact ledger holding every call it acknowledged',
  async (_, inFlight) => {
    const db = path.join(dir, `killed-${inFlight}.db`);
    await openSqliteStore({ file: db }).close();
    const victim = startWriter(db, sim.baseUrl, 20_000, 'victim', 60_000, inFlight);
    const survivor = startWriter(db, sim.baseUrl, 1000, 'survivor', 60_000);
    await victim.ackedAtLeast(300);
    victim.kill();
    expect(await victim.exited).toBe('SIGKILL');
    expect(await survivor.exited).toBe(0);
    expect(victim.acked.length).toBeLessThan(20_000);

    const ledger = new Database(db);
    try {
      expect(ledger.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = ledger.prepare<[string], { id: number }>('SELECT id FROM calls WHERE client = ?');
      const victimIds = new Set(rows.all('victim').map((r) => r.id));
      expect(victim.acked.filter((id) => !victimIds.has(id))).toEqual([]);
      // At most the calls in flight: committed in the last batch, killed before their ids were printed.
      expect(victimIds.size - victim.acked.length).toBeLessThanOrEqual(inFlight);
      expect(rows.all('survivor')).toHaveLength(1000);
      expect(survivor.stderr.join('')).toBe('');
    } finally {
      ledger.close();
    }
  },
  90_000,
);
