/** The PostgreSQL engine on its own: writes, group commit, failures, quotas, alerts, migrations, connection errors. */
import fs from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStatus } from '../../src/ledger/calls.js';
import { POSTGRES_MIGRATIONS_DIR } from '../../src/ledger/postgres/migrate.js';
import { openPostgresStore, type PostgresStore } from '../../src/ledger/postgres/store.js';
import { LedgerWriteError } from '../../src/ledger/store.js';
import type { QuotaInput } from '../../src/quotas/schema.js';
import { POSTGRES_AVAILABLE, requirePostgres, usePostgres } from './cluster.js';
import { callRecord } from '../helpers/ledger.js';

requirePostgres('PostgreSQL engine tests');

const quota = (overrides: Partial<QuotaInput> = {}): QuotaInput => ({
  name: 'daily-cost',
  scope: { kind: 'global', value: null },
  metric: 'cost',
  period: 'day',
  limit: 5,
  thresholds: [50, 80, 100],
  hard: true,
  time_zone: 'UTC',
  ...overrides,
});

describe.runIf(POSTGRES_AVAILABLE)('PostgreSQL ledger store', () => {
  const database = usePostgres();
  let store: PostgresStore;
  let second: PostgresStore;

  beforeAll(async () => {
    store = await openPostgresStore({ url: database.url });
    second = await openPostgresStore({ url: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await second?.close();
  });

  it('records rows and reads them back by id, count, max id and cursor', async () => {
    const before = await store.calls.maxId();
    const id = await store.calls.record(
      callRecord({ client: null, stream: true, audio_seconds: 1.5, input_chars: 7, cache_write_tokens: 12 }),
    );
    const ids = await store.calls.recordMany([callRecord({ ts: 1 }), callRecord({ ts: 2, error_message: 'a\u0000b' })]);
    expect(ids).toEqual([id + 1, id + 2]);
    expect(id).toBeGreaterThan(before);
    expect(await store.calls.get(id)).toMatchObject({
      id,
      client: null,
      stream: 1,
      audio_seconds: 1.5,
      input_chars: 7,
      cache_write_tokens: 12,
    });
    expect((await store.calls.get(id + 1))?.cache_write_tokens).toBe(0);
    // PostgreSQL text cannot hold U+0000: it is kept visible instead of failing the batch.
    expect((await store.calls.get(id + 2))?.error_message).toBe('a\uFFFDb');
    expect(await store.calls.get(id + 99)).toBeUndefined();
    expect(await store.calls.maxId()).toBe(id + 2);
    expect(await store.calls.count()).toBe(3);
    expect((await store.calls.after(id, 10)).map((r) => r.ts)).toEqual([1, 2]);
    expect(await store.calls.recordMany([])).toEqual([]);
  });

  it('group-commits many concurrent record() calls: distinct ids, every row present', async () => {
    const start = await store.calls.count();
    const ids = await Promise.all(
      Array.from({ length: 600 }, (_, i) => (i % 2 ? store : second).calls.record(callRecord({ request_id: `r${i}` }))),
    );
    expect(new Set(ids).size).toBe(600);
    expect(await store.calls.count()).toBe(start + 600);
    const rows = await store.calls.after(Math.min(...ids) - 1, 1000);
    expect(rows.filter((r) => r.request_id?.startsWith('r')).length).toBe(600);
    for (const [i, id] of ids.entries()) expect(rows.find((r) => r.id === id)?.request_id).toBe(`r${i}`);
  });

  it('a batch that fails rejects every call in it with LedgerWriteError and writes none', async () => {
    const start = await store.calls.count();
    const bogus: string = 'bogus';
    // Rows recorded in the same tick share one batch: the bad row takes the two good ones down with it.
    expect(await store.calls.record(callRecord({ request_id: 'before' }))).toBeGreaterThan(0);
    const results = await Promise.allSettled([
      store.calls.record(callRecord({ request_id: 'good-1' })),
      store.calls.record(callRecord({ status: bogus as CallStatus })),
      store.calls.record(callRecord({ request_id: 'good-2' })),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(LedgerWriteError);
        expect(result.reason.rows).toBe(3);
        expect(result.reason.message).toMatch(/violates check constraint .*none of them was recorded/);
      }
    }
    await expect(store.calls.recordMany([callRecord(), callRecord({ status: bogus as CallStatus })])).rejects.toThrow(
      LedgerWriteError,
    );
    expect(await store.calls.count()).toBe(start + 1);
    // The pool is fine afterwards.
    expect(await store.calls.record(callRecord())).toBeGreaterThan(0);
  });

  it('quotas: upsert keeps the id, list is cached yet sees a change made by another store', async () => {
    const created = await store.quotas.upsert(quota(), 1000);
    expect(created).toMatchObject({
      name: 'daily-cost',
      limit_amount: 5_000_000_000,
      hard: true,
      thresholds: [50, 80, 100],
    });
    expect((await second.quotas.list()).map((q) => q.name)).toEqual(['daily-cost']);
    const updated = await second.quotas.upsert(quota({ limit: 7, hard: false }), 2000);
    expect(updated).toMatchObject({
      id: created.id,
      limit_amount: 7_000_000_000,
      hard: false,
      created_at: 1000,
      updated_at: 2000,
    });
    expect(await store.quotas.list()).toEqual([updated]);
    await second.quotas.upsert(quota({ name: 'b-tokens', metric: 'tokens', limit: 100 }), 3000);
    await second.quotas.upsert(quota({ name: 'B-tokens', metric: 'tokens', limit: 100 }), 3000);
    expect((await store.quotas.list()).map((q) => q.name)).toEqual(['B-tokens', 'b-tokens', 'daily-cost']);
    expect(await second.quotas.remove('b-tokens')).toBe(true);
    expect(await second.quotas.remove('b-tokens')).toBe(false);
    expect((await store.quotas.list()).map((q) => q.name)).toEqual(['B-tokens', 'daily-cost']);
    expect(await store.quotas.get('daily-cost')).toEqual(updated);
    expect(await store.quotas.get('nope')).toBeUndefined();
  });

  it('an alert fires once when two stores race for it, and records its deliveries', async () => {
    const q = await store.quotas.upsert(quota({ name: 'race' }), 1000);
    const alert = (threshold: number) => ({
      quota_id: q.id,
      period_start: 86_400_000,
      threshold,
      used_amount: 4_000_000,
      limit_amount: 5_000_000,
      message: `${threshold}% of race`,
      fired_at: 5000 + threshold,
      delivery: 'pending' as const,
    });
    const fired = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : second).alerts.fire(alert(i % 3 === 0 ? 80 : 50))),
    );
    const winners = fired.filter((a) => a !== null);
    expect(winners.map((a) => a.threshold).sort()).toEqual([50, 80]);
    expect(winners[0]).toMatchObject({ quota_name: 'race', metric: 'cost', delivery_attempts: 0, delivered_at: null });
    expect(await second.alerts.firedThresholds(q.id, 86_400_000)).toEqual(new Set([50, 80]));
    const first = winners[0];
    if (!first) throw new Error('no alert fired');
    await store.alerts.recordAttempt(first.id, { delivery: 'delivered', attempts: 2, error: null, at: 9999 });
    expect(await second.alerts.get(first.id)).toMatchObject({
      delivery: 'delivered',
      delivery_attempts: 2,
      delivered_at: 9999,
    });
    expect((await store.alerts.recent(10)).map((a) => a.threshold)).toEqual([80, 50]);
    expect(await store.alerts.recent(10, 5070)).toHaveLength(1);
  });

  it('holds against one hard limit from many stores let exactly the limit through, and count committed rows', async () => {
    const q = await store.quotas.upsert(quota({ name: 'hard-100', metric: 'requests', limit: 100 }), 1000);
    const day = { start: Date.UTC(2031, 0, 1), end: Date.UTC(2031, 0, 2) };
    const request = (amount: number, now = day.start) => ({
      quota: q,
      window: day,
      amount,
      now,
      expiresAt: now + 60_000,
    });
    const stores = [store, second, ...(await Promise.all([1, 2].map(() => openPostgresStore({ url: database.url }))))];
    try {
      const attempts = Array.from({ length: 160 }, (_, i) => stores[i % stores.length]?.reservations.hold(request(1)));
      const results = await Promise.all(attempts);
      const granted = results.flatMap((r) => (r?.granted ? [r.id] : []));
      expect(granted).toHaveLength(100);
      expect(results.filter((r) => r && !r.granted)).toHaveLength(60);
      expect(await store.reservations.hold(request(1))).toEqual({ granted: false, used: 100 });
      // A call that failed before the upstream releases its hold; one that ran is committed, then released.
      await second.reservations.release(granted.slice(0, 2));
      await store.calls.record(callRecord({ ts: day.start + 5 }));
      expect(await store.reservations.hold(request(1))).toMatchObject({ granted: true });
      expect(await store.reservations.hold(request(1))).toEqual({ granted: false, used: 100 });
      // Holds whose processes died stop counting when they expire: only the committed row is left.
      const later = day.start + 60_000;
      expect(await store.reservations.hold(request(98, later))).toMatchObject({ granted: true });
      expect(await store.reservations.hold(request(2, later))).toEqual({ granted: false, used: 99 });
      // The quota now counts tokens: the period is counted afresh (the one committed row, 30 tokens).
      const tokens = await store.quotas.upsert(quota({ name: 'hard-100', metric: 'tokens', limit: 100 }), 2000);
      const tokenHold = { quota: tokens, window: day, amount: 71, now: day.start, expiresAt: day.start + 1 };
      expect(await store.reservations.hold(tokenHold)).toEqual({ granted: false, used: 30 });
      expect(await store.reservations.hold({ ...tokenHold, amount: 70 })).toMatchObject({ granted: true });
    } finally {
      await Promise.all(stores.slice(2).map((s) => s.close()));
    }
  });

  it('two stores opening a fresh database together migrate it once', async () => {
    const url = await database.another();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const applied = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    await client.end();
    expect(applied.rows.map((r) => r.name).sort()).toEqual(fs.readdirSync(POSTGRES_MIGRATIONS_DIR).sort());
    expect(await Promise.all(stores.map((s) => s.calls.count()))).toEqual([0, 0, 0]);
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('PostgreSQL connection errors', () => {
  const closedPort = () =>
    new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
      });
    });

  it('an unreachable server: names host, port and database, never the password', async () => {
    const port = await closedPort();
    const error = await openPostgresStore({ url: `postgres://alice:S3cr3t-pw@127.0.0.1:${port}/team_ledger` }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain(`host 127.0.0.1, port ${port}, database "team_ledger"`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain('S3cr3t-pw');
  });

  it('a bad URL or sslmode says what is expected, without the password', async () => {
    await expect(openPostgresStore({ url: 'postgres://bob:hunter2@db/x?sslmode=prefer' })).rejects.toThrow(
      /sslmode=prefer in postgres:\/\/bob:\*\*\*@db\/x\?sslmode=prefer is not supported; use one of disable, require/,
    );
    await expect(openPostgresStore({ url: 'not a url hunter2' })).rejects.toThrow(/^the ledger URL is not a valid URL/);
    await expect(openPostgresStore({ url: 'postgres://bob:hunter2@db:5432/' })).rejects.toThrow(/names no database/);
    await expect(
      openPostgresStore({ url: 'postgres://bob:hunter2@db:5432/x?sslmode=verify-full', caFile: '/nonexistent/ca.pem' }),
    ).rejects.toThrow(/cannot read the CA file \/nonexistent\/ca.pem for the ledger postgres:\/\/bob:\*\*\*@db:5432/);
  });

  describe.runIf(POSTGRES_AVAILABLE)('against the server', () => {
    const database = usePostgres();
    it('a database that does not exist is named', async () => {
      const url = new URL(database.url);
      url.pathname = '/no_such_ledger';
      url.password = 'pw-never-shown';
      const error = await openPostgresStore({ url: url.toString() }).catch((e: unknown) => e);
      const message = error instanceof Error ? error.message : '';
      expect(message).toContain(`port ${url.port}, database "no_such_ledger"`);
      expect(message).toContain('database "no_such_ledger" does not exist');
      expect(message).not.toContain('pw-never-shown');
    });
  });
});
