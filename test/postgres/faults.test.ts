/**
 * Faults on the PostgreSQL ledger, on a cluster of this file's own. The server restarted in the
 * middle of load: every call either is acknowledged (and then its row is there) or fails with a
 * message that says what to check, and the pool recovers by itself. A writer machine killed with
 * SIGKILL mid-load: every call it acknowledged is in the ledger.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/ledger/postgres/store.js';
import { LedgerWriteError } from '../../src/ledger/store.js';
import type { RunningSimulatedUpstream } from '../../src/upstream/simulated.js';
import { startTestUpstream } from '../helpers/harness.js';
import { callRecord } from '../helpers/ledger.js';
import { startWriter } from '../helpers/writer-process.js';
import { POSTGRES_AVAILABLE, requirePostgres } from './cluster.js';
import { findPostgresBin, startCluster, type Cluster } from './server.js';

requirePostgres('PostgreSQL restart tests');

const CALLS = 400;
const IN_FLIGHT = 8;

describe.runIf(POSTGRES_AVAILABLE && findPostgresBin() !== null)('a PostgreSQL restart under load', () => {
  let cluster: Cluster;
  let store: PostgresStore;
  let url: string;
  beforeAll(async () => {
    const bin = findPostgresBin();
    if (!bin) throw new Error('no PostgreSQL binaries');
    cluster = await startCluster(bin);
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE faults');
    await admin.end();
    const u = new URL(cluster.adminUrl);
    u.pathname = '/faults';
    url = u.toString();
    store = await openPostgresStore({ url });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    cluster?.stop();
  });

  it('loses no acknowledged row, explains the failed ones, and recovers without a restart of ours', async () => {
    const acked: number[] = [];
    const failures: { i: number; message: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        // Midway, the server goes down hard and comes back (a crash, a failover, an upgrade).
        if (i === CALLS / 2) cluster.restart();
        try {
          acked.push(await store.calls.record(callRecord({ request_id: `r${i}` })));
        } catch (error) {
          expect(error).toBeInstanceOf(LedgerWriteError);
          failures.push({ i, message: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(acked.length + failures.length).toBe(CALLS);
    // Only calls around the restart fail: those in flight and those that met a dropped connection.
    for (const { i } of failures) expect(Math.abs(i - CALLS / 2)).toBeLessThan(4 * IN_FLIGHT);
    for (const { message } of failures)
      expect(message).toMatch(/none of them was recorded\. Check that the PostgreSQL server is reachable/);

    const stored = new Set((await store.calls.after(0, CALLS * 2)).map((row) => row.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    // The same store, after the restart: its pool replaced the dropped connections.
    const after = await store.calls.record(callRecord({ request_id: 'after' }));
    expect((await store.calls.get(after))?.request_id).toBe('after');
    process.stderr.write(
      `[postgres restart] ${acked.length} of ${CALLS} acknowledged, ${failures.length} failed with a clear message\n`,
    );
  }, 60_000);

  it('a writer killed with SIGKILL mid-load loses none of the calls it acknowledged', async () => {
    let sim: RunningSimulatedUpstream | undefined;
    try {
      sim = await startTestUpstream();
      const victim = startWriter(url, sim.baseUrl, 20_000, 'victim', 60_000, 32);
      await victim.ackedAtLeast(300);
      victim.kill();
      expect(await victim.exited).toBe('SIGKILL');
      const rows = (await store.calls.after(0, 100_000)).filter((row) => row.client === 'victim');
      const stored = new Set(rows.map((row) => row.id));
      expect(victim.acked.filter((id) => !stored.has(id))).toEqual([]);
      // At most the calls in flight: committed in the last batch, killed before their ids were printed.
      expect(stored.size - victim.acked.length).toBeLessThanOrEqual(32);
    } finally {
      await sim?.close();
    }
  }, 90_000);
});
