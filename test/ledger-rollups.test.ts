/**
 * Long ranges answered from call_rollups must equal the raw-row answers exactly (sums, counts,
 * buckets, breakdown rows), with percentiles within the histogram's documented error. The raw
 * answers come from a read-only connection, which cannot use rollups and scans calls as before.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import {
  type Breakdown,
  type LedgerStore,
  type QueryStore,
  type Summary,
  type TimeRange,
  BREAKDOWN_DIMENSIONS,
} from '../src/ledger/store.js';
import {
  addEncoded,
  bucketOf,
  bucketValue,
  emptyHistogram,
  encodeHistogram,
  HISTOGRAM_RELATIVE_ERROR,
} from '../src/ledger/rollups/histogram.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { ledgerConfig, seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';
import { randomCalls } from './helpers/random-calls.js';

const DAY = 86_400_000;
const START = Date.parse('2025-03-10T00:00:00Z');
const END = Date.parse('2025-04-12T00:00:00Z');
const SPAN = { from: START, to: END };
// Odd edges on purpose; the 7-day range spans Berlin's spring-forward night (2025-03-30).
const RANGES: Record<string, TimeRange> = {
  '7d': { from: Date.parse('2025-03-26T05:17:23.456Z'), to: Date.parse('2025-04-02T08:58:00.001Z') },
  '30d': { from: START + 1_234_567, to: START + 30 * DAY + 7_654_321 },
};
const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Kolkata'] as const;
const INSERTER = fileURLToPath(new URL('./fixtures/call-inserter.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let temp: TempLedger;
let rolled: QueryStore;
let readOnly: LedgerStore;
let exact: QueryStore;

beforeAll(async () => {
  temp = tempLedger();
  await seedCalls(temp.store, randomCalls(6000, 1, SPAN));
  rolled = temp.store.queries;
  readOnly = openSqliteStore({ file: temp.file, readonly: true });
  exact = readOnly.queries;
});
afterAll(async () => {
  await readOnly.close();
  await temp.cleanup();
});

function expectNear(approx: number | null, value: number | null): void {
  if (value === null) return expect(approx).toBeNull();
  expect(approx).not.toBeNull();
  expect(Math.abs((approx ?? 0) - value)).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR * (1 + value) + 0.5);
}

const sums = ({ latency_ms: _l, ttft_ms: _t, ...rest }: Summary) => rest;
const rowSums = (b: Breakdown) => b.rows.map(({ p50_latency_ms: _p, ...rest }) => rest);

async function expectSameAnswers(range: TimeRange): Promise<void> {
  const fast = await rolled.summary(range);
  const slow = await exact.summary(range);
  expect(fast.requests).toBeGreaterThan(0);
  expect(sums(fast)).toEqual(sums(slow));
  expect(fast.latency_ms.approximate).toBe(true);
  for (const key of ['latency_ms', 'ttft_ms'] as const) {
    expectNear(fast[key].p50, slow[key].p50);
    expectNear(fast[key].p95, slow[key].p95);
  }
  for (const by of BREAKDOWN_DIMENSIONS) {
    const a = await rolled.breakdown(range, by);
    const b = await exact.breakdown(range, by);
    expect(a.approximate).toBe(true);
    expect(rowSums(a)).toEqual(rowSums(b));
    for (const [i, row] of a.rows.entries()) expectNear(row.p50_latency_ms, b.rows[i]?.p50_latency_ms ?? null);
  }
  for (const zone of ZONES) {
    for (const bucket of ['1h', '1d'] as const)
      expect(await rolled.timeseries(range, bucket, zone)).toEqual(await exact.timeseries(range, bucket, zone));
  }
}

const watermark = () => temp.sql.prepare<[], number>('SELECT last_call_id FROM call_rollup_watermark').pluck().get();
const maxId = () => temp.sql.prepare<[], number>('SELECT MAX(id) FROM calls').pluck().get();

describe('rollup-backed ranges', () => {
  it.each(Object.keys(RANGES))('%s: equal to the raw answers in UTC, Europe/Berlin and Asia/Kolkata', async (name) => {
    await expectSameAnswers(RANGES[name] ?? SPAN);
    expect(watermark()).toBe(maxId());
  });

  it('a day (odd edges, sums partly from rollups) equals the raw answers exactly, percentiles included', async () => {
    const day = { from: Date.parse('2025-03-29T13:07:11.111Z'), to: Date.parse('2025-03-30T13:07:11.111Z') };
    expect(await rolled.summary(day)).toEqual(await exact.summary(day));
    for (const by of BREAKDOWN_DIMENSIONS)
      expect(await rolled.breakdown(day, by)).toEqual(await exact.breakdown(day, by));
    for (const zone of ZONES)
      expect(await rolled.timeseries(day, '5m', zone)).toEqual(await exact.timeseries(day, '5m', zone));
  });

  it('catches up incrementally with calls another connection wrote, including ones in rolled-up hours', async () => {
    await expectSameAnswers(SPAN);
    const before = watermark();
    await seedCalls(temp.openSecond(), randomCalls(800, 2, SPAN));
    expect(maxId()).toBe((before ?? 0) + 800);
    for (const range of [...Object.values(RANGES), SPAN]) await expectSameAnswers(range);
    expect(watermark()).toBe(maxId());
  });

  it('never skips or double-counts calls another process commits while it catches up', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', INSERTER, temp.file, '1500', '3', String(START), String(END)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => void (done ||= chunk.toString().includes('done')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let catchUps = 0;
    while (!done) {
      await rolled.summary(SPAN);
      catchUps += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await exited).toBe(0);
    expect(catchUps).toBeGreaterThan(1);
    await expectSameAnswers(SPAN);
    expect((await rolled.summary(SPAN)).requests).toBe(6000 + 800 + 1500);
  }, 60_000);
});

describe('the API marks approximate figures', () => {
  let app: Hono;
  beforeAll(() => {
    app = createApp({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      clock: () => END,
    });
  });
  const get = async (path: string) =>
    (await (await app.request(path)).json()) as { latency_ms: object; ttft_ms: object; approximate?: boolean };

  it('7d and 30d percentiles are approximate, 24h ones exact', async () => {
    for (const range of ['7d', '30d']) {
      expect((await get(`/api/summary?range=${range}`)).latency_ms).toMatchObject({ approximate: true });
      expect((await get(`/api/breakdown?range=${range}`)).approximate).toBe(true);
    }
    const day = await get('/api/summary?range=24h');
    expect(Object.keys(day.latency_ms)).toEqual(['p50', 'p95']);
    expect((await get('/api/breakdown?range=24h')).approximate).toBeUndefined();
  });
});

describe('latency histograms', () => {
  it('report every value within the documented error', () => {
    for (let ms = 0; ms <= 200_000; ms += ms < 2000 ? 1 : 97) {
      expect(Math.abs(bucketValue(bucketOf(ms)) - ms)).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR * (1 + ms) + 0.5);
    }
  });

  it('encode trimmed and decode back to the same counts', () => {
    const h = emptyHistogram();
    h[3] = 2;
    h[7] = 1;
    expect(encodeHistogram(h)).toBe('3:2,0,0,0,1');
    expect(encodeHistogram(emptyHistogram())).toBe('');
    const back = emptyHistogram();
    addEncoded(back, encodeHistogram(h));
    expect(back).toEqual(h);
  });
});
