/**
 * The PostgreSQL engine gives the SQLite engine's answers: the same seeded rows go into both, and
 * every query's output is compared directly, over ranges below a day (exact percentiles), of
 * several days (histogram percentiles), with odd edges, in zones with DST and +05:30.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/ledger/postgres/store.js';
import { openSqliteStore } from '../../src/ledger/sqlite/store.js';
import { BREAKDOWN_DIMENSIONS, USAGE_GROUPS, type LedgerStore, type ErrorGroup } from '../../src/ledger/store.js';
import { POSTGRES_AVAILABLE, requirePostgres, usePostgres } from './cluster.js';
import { randomRecords } from './rows.js';

requirePostgres('PostgreSQL engine parity tests');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 2, 20, 0, 0, 0); // spans Europe's DST change on 30 March
const SPAN = { from: START, to: START + 14 * DAY };

const RANGES = {
  'an odd 7h': { from: START + 3 * DAY + 1234567, to: START + 3 * DAY + 7 * HOUR + 89 },
  'exactly a day': { from: START + 5 * DAY, to: START + 6 * DAY },
  'a day and a minute': { from: START + 5 * DAY, to: START + 6 * DAY + 60_000 },
  '10 days from an odd ms': { from: START + 123_457, to: START + 10 * DAY - 999 },
  'all of it': { from: SPAN.from - DAY, to: SPAN.to + DAY },
  empty: { from: SPAN.to + 2 * DAY, to: SPAN.to + 3 * DAY },
};

/** Groups that tie on count and last_ts may come in either order from SQLite; compare them as sets. */
const byGroup = (groups: ErrorGroup[]) =>
  [...groups].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe.runIf(POSTGRES_AVAILABLE)('PostgreSQL engine answers as the SQLite engine does', () => {
  const database = usePostgres();
  let pg: LedgerStore;
  let sqlite: LedgerStore;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometapi-parity-'));
    sqlite = openSqliteStore({ file: path.join(dir, 'ledger.db') });
    pg = await openPostgresStore({ url: database.url });
    const records = randomRecords(6000, 42, SPAN);
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000);
      expect(await pg.calls.recordMany(chunk)).toEqual(await sqlite.calls.recordMany(chunk));
    }
  });

  afterAll(async () => {
    await pg?.close();
    await sqlite?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every row as the SQLite engine reads it back', async () => {
    expect(await pg.calls.count()).toBe(6000);
    expect(await pg.calls.after(0, 10_000)).toEqual(await sqlite.calls.after(0, 10_000));
    expect(await pg.queries.metricRows(1234, 500)).toEqual(await sqlite.queries.metricRows(1234, 500));
  });

  for (const [name, range] of Object.entries(RANGES)) {
    it(`summary, breakdowns and errors over ${name}`, async () => {
      const summary = await pg.queries.summary(range);
      expect(summary).toEqual(await sqlite.queries.summary(range));
      for (const by of BREAKDOWN_DIMENSIONS) {
        expect(await pg.queries.breakdown(range, by), by).toEqual(await sqlite.queries.breakdown(range, by));
      }
      expect(byGroup(await pg.queries.errors(range))).toEqual(byGroup(await sqlite.queries.errors(range)));
    });
  }

  it('says which answers are approximate, and those are the histogram ones', async () => {
    const week = await pg.queries.summary(RANGES['10 days from an odd ms']);
    expect(week.latency_ms.approximate).toBe(true);
    const day = await pg.queries.summary(RANGES['exactly a day']);
    expect(day.latency_ms.approximate).toBeUndefined();
    expect(day.requests).toBeGreaterThan(300);
  });

  for (const [bucket, zone, range] of [
    ['1m', 'UTC', RANGES['an odd 7h']],
    ['5m', 'Asia/Kolkata', RANGES['a day and a minute']],
    ['1h', 'Asia/Kolkata', RANGES['10 days from an odd ms']],
    ['1h', 'Europe/Berlin', RANGES['all of it']],
    ['1d', 'Europe/Berlin', RANGES['all of it']],
    ['1d', 'America/St_Johns', RANGES['10 days from an odd ms']],
  ] as const) {
    it(`time series of ${bucket} buckets in ${zone}`, async () => {
      expect(await pg.queries.timeseries(range, bucket, zone)).toEqual(
        await sqlite.queries.timeseries(range, bucket, zone),
      );
    });
  }

  it('pages through calls with every filter', async () => {
    const filters = [
      { limit: 50 },
      { limit: 50, before: 3000 },
      { limit: 20, model: 'claude-sonnet-4', status: 'error' as const },
      { limit: 20, client: '' },
      { limit: 20, client: 'Äpfel', tool: 'chat', range: RANGES['10 days from an odd ms'] },
      { limit: 10_000, range: RANGES['an odd 7h'] },
    ];
    for (const filter of filters) {
      expect(await pg.queries.calls(filter), JSON.stringify(filter)).toEqual(await sqlite.queries.calls(filter));
    }
  });

  it('usage reports by every group, days in a zone', async () => {
    for (const by of USAGE_GROUPS) {
      for (const timeZone of ['UTC', 'Asia/Kolkata']) {
        const options = { since: SPAN.from + 777, until: SPAN.to - 3 * DAY, by, timeZone };
        expect(await pg.queries.usageReport(options), `${by} ${timeZone}`).toEqual(
          await sqlite.queries.usageReport(options),
        );
      }
    }
  });

  it('quota usage per scope, full and then incrementally after more rows', async () => {
    const window = { start: START + 2 * DAY, end: START + 9 * DAY };
    const keys = [
      { scope: 'global', scope_value: null },
      { scope: 'model', scope_value: 'claude-sonnet-4' },
      { scope: 'tool', scope_value: 'chat' },
      { scope: 'client', scope_value: 'émile' },
      { scope: 'provider', scope_value: 'openai' },
    ] as const;
    for (const key of keys)
      expect(await pg.queries.quotaUsage(key, window)).toEqual(await sqlite.queries.quotaUsage(key, window));
    const more = randomRecords(500, 7, { from: window.start, to: window.end });
    await pg.calls.recordMany(more);
    await sqlite.calls.recordMany(more);
    for (const key of keys) {
      const incremental = await pg.queries.quotaUsage(key, window);
      expect(incremental).toEqual(await sqlite.queries.quotaUsage(key, window));
      expect(incremental.requests).toBeGreaterThan(0);
    }
  });

  it('rollups stay exact as rows arrive later, out of time order, with two stores catching up at once', async () => {
    const other = await openPostgresStore({ url: database.url });
    try {
      const late = randomRecords(3000, 99, SPAN);
      for (const store of [pg, sqlite]) await store.calls.recordMany(late);
      const folded = await Promise.all([pg.maintain(() => false), other.maintain(() => false)]);
      expect(folded[0] + folded[1]).toBeGreaterThanOrEqual(3000);
      for (const store of [pg, other]) {
        const range = RANGES['all of it'];
        expect(await store.queries.summary(range)).toEqual(await sqlite.queries.summary(range));
        expect(await store.queries.breakdown(range, 'client')).toEqual(await sqlite.queries.breakdown(range, 'client'));
        expect(await store.queries.timeseries(range, '1d', 'Asia/Kolkata')).toEqual(
          await sqlite.queries.timeseries(range, '1d', 'Asia/Kolkata'),
        );
      }
      expect(await pg.maintain(() => false)).toBe(0);
    } finally {
      await other.close();
    }
  });
});
