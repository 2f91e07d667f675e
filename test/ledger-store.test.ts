/**
 * The store's write path: rows recorded close together share one transaction, each caller hears
 * only after its row committed, and a failed batch fails exactly its own calls and writes none.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../src/ledger/group-commit.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { LedgerWriteError } from '../src/ledger/store.js';
import { setQuota } from '../src/quotas/manage.js';
import { allCalls, callRecord, tempLedger, type TempLedger } from './helpers/ledger.js';
import { startQuotaHarness, type QuotaHarness } from './helpers/quota-harness.js';

let temp: TempLedger | undefined;
let h: QuotaHarness | undefined;
afterEach(async () => {
  await temp?.cleanup();
  await h?.close();
  temp = undefined;
  h = undefined;
});

describe('group commit', () => {
  it('writes calls recorded in the same turn in one transaction and gives each its own id', async () => {
    temp = tempLedger();
    const t = temp;
    const countElsewhere = () => t.sql.prepare('SELECT COUNT(*) FROM calls').pluck().get();
    const pending = Array.from({ length: 100 }, (_, i) => t.store.calls.record(callRecord({ ts: i })));
    // Nothing is visible before the batch commits, and all of it is once the first caller hears.
    expect(countElsewhere()).toBe(0);
    const seenByFirst = pending[0]?.then(() => countElsewhere());
    const ids = await Promise.all(pending);
    expect(await seenByFirst).toBe(100);
    expect(new Set(ids).size).toBe(100);
    expect((await allCalls(t.store)).map((r) => r.id)).toEqual(ids);
    // More than a batch holds: the first 256 commit together, before the rest.
    const more = Array.from({ length: 600 }, () => t.store.calls.record(callRecord()));
    const afterFirstBatch = more[0]?.then(() => countElsewhere());
    await Promise.all(more);
    expect(await afterFirstBatch).toBe(100 + 256);
    expect(countElsewhere()).toBe(700);
  });

  it('a constraint violation fails every call of its batch with a clear error and writes none of them', async () => {
    temp = tempLedger();
    const t = temp;
    await t.store.calls.record(callRecord({ client: 'earlier' }));
    const good = callRecord({ client: 'same-batch' });
    // SQLite stores NaN as NULL, and ts is NOT NULL: a row the schema refuses.
    const bad = callRecord({ ts: Number.NaN });
    const results = await Promise.allSettled([t.store.calls.record(good), t.store.calls.record(bad)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status !== 'rejected') continue;
      expect(r.reason).toBeInstanceOf(LedgerWriteError);
      expect(String(r.reason.message)).toMatch(/could not write 2 call rows to the ledger .*NOT NULL.*none of them/);
    }
    expect((await allCalls(t.store)).map((r) => r.client)).toEqual(['earlier']);
    // The next batch is unaffected.
    expect(await t.store.calls.record(callRecord({ client: 'after' }))).toBeGreaterThan(0);
    expect(await t.store.calls.count()).toBe(2);
  });

  it('a file that cannot be written (read-only, as on a full disk) fails the calls and keeps the rows already there', async () => {
    temp = tempLedger();
    const t = temp;
    await t.store.calls.record(callRecord({ client: 'kept' }));
    await t.store.close();
    fs.chmodSync(t.file, 0o444);
    const readOnlyFile = openSqliteStore({ file: t.file, readonly: true });
    try {
      const failed = readOnlyFile.calls.record(callRecord({ client: 'lost' }));
      await expect(failed).rejects.toBeInstanceOf(LedgerWriteError);
      await expect(failed).rejects.toThrow(/readonly|read-only/i);
      await expect(failed).rejects.toThrow(/Check that the file and its folder are writable/);
      expect((await allCalls(readOnlyFile)).map((r) => r.client)).toEqual(['kept']);
    } finally {
      await readOnlyFile.close();
      fs.chmodSync(t.file, 0o644);
    }
  });

  it('close() waits for rows still queued', async () => {
    temp = tempLedger();
    const t = temp;
    const pending = Array.from({ length: 50 }, () => t.store.calls.record(callRecord()));
    await t.store.close();
    expect(await Promise.all(pending)).toHaveLength(50);
    expect(t.sql.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(50);
  });
});

describe('cached quota definitions', () => {
  it('a quota set by another process is enforced on the next call, without re-reading per call', async () => {
    h = await startQuotaHarness();
    expect((await h.call('chat', { prompt: 'before any quota' })).isError).toBeFalsy();
    // Another process (its own connection) adds a hard quota the first one has not seen.
    const other = openSqliteStore({ file: h.runtime.store.location });
    try {
      await setQuota(
        other.quotas,
        { name: 'elsewhere', metric: 'requests', period: 'day', limit: 1, hard: true },
        { defaultTimeZone: 'UTC', now: h.clock.now, mode: 'upsert' },
      );
    } finally {
      await other.close();
    }
    const refused = await h.call('chat', { prompt: 'after' });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("quota 'elsewhere' reached");
  });

  it('calls written by other processes do not make the list stale or re-read', async () => {
    temp = tempLedger();
    const t = temp;
    await setQuota(
      t.store.quotas,
      { name: 'q', metric: 'requests', period: 'day', limit: 5 },
      { defaultTimeZone: 'UTC', now: 0, mode: 'upsert' },
    );
    const first = await t.store.quotas.list();
    await t.openSecond().calls.record(callRecord());
    expect(await t.store.quotas.list()).toEqual(first);
    const second = t.openSecond();
    await second.quotas.remove('q');
    expect(await t.store.quotas.list()).toEqual([]);
  });
});

describe('group commit with a slow writer', () => {
  it('flushes rows that arrive while a batch is being written, and later ones too', async () => {
    const written: number[][] = [];
    const commit = createGroupCommit<number>(
      async (batch) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        written.push([...batch]);
        return batch.map((n) => n * 10);
      },
      { maxRows: 4 },
    );
    const first = commit.push(1);
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now being written
    const during = [commit.push(2), commit.push(3)];
    expect(await first).toBe(10);
    expect(await Promise.all(during)).toEqual([20, 30]);
    // After the writer went idle, a lone row is still written on the next turn.
    expect(await commit.push(4)).toBe(40);
    expect(written).toEqual([[1], [2, 3], [4]]);
  });
});
