import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { bucketEdges, ZoneClock } from '../src/ledger/store.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const ENGINES = ledgerEngines('day bucket API tests');

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('day buckets follow the local calendar, DST included', () => {
  it('Europe/Berlin: the spring-forward day (2025-03-30) is 23 hours long', () => {
    const from = Date.parse('2025-03-28T23:00:00Z'); // 2025-03-29 00:00 CET
    const to = Date.parse('2025-03-31T22:00:00Z'); // 2025-04-01 00:00 CEST
    const edges = bucketEdges({ from, to }, '1d', new ZoneClock('Europe/Berlin'));
    expect(edges.map(iso)).toEqual([
      '2025-03-28T23:00:00.000Z',
      '2025-03-29T23:00:00.000Z',
      '2025-03-30T22:00:00.000Z',
      '2025-03-31T22:00:00.000Z',
    ]);
    expect((edges[2] ?? 0) - (edges[1] ?? 0)).toBe(23 * HOUR);
  });

  it('America/New_York: the fall-back day (2025-11-02) is 25 hours long', () => {
    const edges = bucketEdges(
      { from: Date.parse('2025-11-02T12:00:00Z'), to: Date.parse('2025-11-03T12:00:00Z') },
      '1d',
      new ZoneClock('America/New_York'),
    );
    expect(edges.map(iso)).toEqual([
      '2025-11-02T04:00:00.000Z',
      '2025-11-03T05:00:00.000Z',
      '2025-11-04T05:00:00.000Z',
    ]);
  });

  it('America/Santiago: where midnight is skipped, the day starts at the transition', () => {
    // 2024-09-08: clocks jump from 00:00 to 01:00 (UTC-4 → UTC-3); the day begins at 01:00 local.
    expect(iso(new ZoneClock('America/Santiago').startOfDay(Date.parse('2024-09-08T15:00:00Z')))).toBe(
      '2024-09-08T04:00:00.000Z',
    );
  });

  it('hour buckets align to the local clock in half-hour zones (Asia/Kolkata, +05:30)', () => {
    const edges = bucketEdges(
      { from: Date.parse('2025-01-01T00:10:00Z'), to: Date.parse('2025-01-01T02:00:00Z') },
      '1h',
      new ZoneClock('Asia/Kolkata'),
    );
    expect(edges.map(iso)).toEqual([
      '2024-12-31T23:30:00.000Z',
      '2025-01-01T00:30:00.000Z',
      '2025-01-01T01:30:00.000Z',
      '2025-01-01T02:30:00.000Z',
    ]);
  });
});

describe.each(ENGINES)('GET /api/timeseries with bucket=1d in a non-UTC zone ($name ledger)', (engine) => {
  let temp: EngineLedger;
  let app: Hono;
  beforeAll(async () => {
    temp = await engine.open();
    await seedCalls(temp.store, [
      { ts: Date.parse('2025-03-29T22:59:59.999Z'), prompt_tokens: 1 }, // 23:59:59.999 CET, March 29
      // 00:00 CET, March 30: first instant of the DST day
      { ts: Date.parse('2025-03-29T23:00:00.000Z'), prompt_tokens: 10 },
      { ts: Date.parse('2025-03-30T21:59:59.999Z'), prompt_tokens: 100 }, // 23:59:59.999 CEST, still March 30
      { ts: Date.parse('2025-03-30T22:00:00.000Z'), prompt_tokens: 1000 }, // 00:00 CEST, March 31
    ]);
    app = createApp({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      clock: () => Date.parse('2025-04-02T00:00:00Z'),
    });
  });
  afterAll(() => temp.cleanup());

  it('counts each call in its Berlin calendar day', async () => {
    const query = `from=${encodeURIComponent('2025-03-29T00:00:00+01:00')}&to=${encodeURIComponent('2025-04-01T00:00:00+02:00')}&bucket=1d&tz=Europe/Berlin`;
    const body = (await (await app.request(`/api/timeseries?${query}`)).json()) as {
      time_zone: string;
      points: { t: number; prompt_tokens: number; requests: number }[];
    };
    expect(body.time_zone).toBe('Europe/Berlin');
    expect(body.points.map((p) => [iso(p.t), p.requests, p.prompt_tokens])).toEqual([
      ['2025-03-28T23:00:00.000Z', 1, 1],
      ['2025-03-29T23:00:00.000Z', 2, 110],
      ['2025-03-30T22:00:00.000Z', 1, 1000],
    ]);
  });

  it('groups the same calls differently in UTC, so the zone really applies', async () => {
    const body = (await (
      await app.request('/api/timeseries?from=2025-03-29T00:00:00Z&to=2025-04-01T00:00:00Z&bucket=1d&tz=UTC')
    ).json()) as { points: { t: number; prompt_tokens: number }[] };
    expect(body.points.map((p) => [iso(p.t), p.prompt_tokens])).toEqual([
      ['2025-03-29T00:00:00.000Z', 11],
      ['2025-03-30T00:00:00.000Z', 1100],
      ['2025-03-31T00:00:00.000Z', 0],
    ]);
  });
});
