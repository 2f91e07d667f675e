import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { packageVersion } from '../src/version.js';
import { ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * Eight calls inside the last 24h (one exactly at its start, which counts) and one just outside.
 * Expected figures below are worked out by hand from this table.
 */
const CALLS = [
  {
    ts: NOW - 1 * HOUR,
    client: 'Cherry Studio',
    prompt_tokens: 100,
    completion_tokens: 50,
    cost_nano_usd: 1000_000,
    duration_ms: 100,
    ttft_ms: 10,
    stream: true,
  },
  {
    ts: NOW - 2 * HOUR,
    client: 'Cursor',
    prompt_tokens: 200,
    completion_tokens: 100,
    cost_nano_usd: 2500_000,
    duration_ms: 200,
    ttft_ms: 20,
    stream: true,
  },
  {
    ts: NOW - 3 * HOUR,
    model_requested: 'claude-sonnet-4',
    model_used: 'claude-sonnet-4',
    prompt_tokens: 300,
    completion_tokens: 30,
    cost_nano_usd: null,
    duration_ms: 300,
    usage_estimated: true,
  },
  {
    ts: NOW - 4 * HOUR,
    model_used: null,
    status: 'error',
    http_status: 429,
    error_type: 'rate_limit',
    error_message: 'Rate limit reached',
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_nano_usd: null,
    duration_ms: 400,
    retries: 3,
  },
  {
    ts: NOW - 5 * HOUR,
    model_requested: 'claude-sonnet-4',
    model_used: null,
    status: 'blocked',
    http_status: null,
    error_type: 'quota_exceeded',
    error_message: "quota 'daily' reached",
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_nano_usd: null,
    duration_ms: 1,
  },
  {
    ts: NOW - 6 * HOUR,
    tool: 'generate_image',
    model_requested: 'dall-e-3',
    model_used: 'dall-e-3',
    images: 1,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_nano_usd: 40_000_000,
    duration_ms: 500,
  },
  { ts: NOW - 25 * HOUR, prompt_tokens: 1000, completion_tokens: 1000, cost_nano_usd: 999_999_000, duration_ms: 5000 },
  { ts: NOW - 24 * HOUR, prompt_tokens: 7, completion_tokens: 0, cost_nano_usd: 7_000, duration_ms: 700 },
  {
    ts: NOW - 30 * MIN,
    client: null,
    model_used: null,
    status: 'error',
    http_status: 429,
    error_type: 'rate_limit',
    error_message: 'Rate limit reached (latest)',
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_nano_usd: null,
    duration_ms: 900,
    retries: 2,
  },
] as const;

const ENGINES = ledgerEngines('sidecar JSON API tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let temp: EngineLedger;
  let app: Hono;
  let ids: number[];

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    temp = await engine.open();
    ids = await seedCalls(temp.store, CALLS);
    app = createApp({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      clock: () => NOW,
    });
  });
  afterAll(() => temp.cleanup());

  describe('GET /api/summary', () => {
    it('sums exactly the rows in [now - 24h, now), reports unpriced calls instead of adding 0, and gives nearest-rank percentiles', async () => {
      const { status, body } = await get('/api/summary?range=24h');
      expect(status).toBe(200);
      expect(body).toEqual({
        from: NOW - 24 * HOUR,
        to: NOW,
        requests: 8,
        ok: 5,
        errors: 2,
        blocked: 1,
        prompt_tokens: 607,
        completion_tokens: 180,
        total_tokens: 787,
        cost_usd: 0.043507,
        // The claude call used tokens but has no price. The failed and blocked calls used nothing: not unpriced.
        unpriced_calls: 1,
        estimated_calls: 1,
        error_rate: 0.25,
        retries: 5,
        // Timed rows (blocked excluded): 100 200 300 400 500 700 900 → rank ceil(3.5)=4 and ceil(6.65)=7.
        latency_ms: { p50: 400, p95: 900 },
        ttft_ms: { p50: 10, p95: 20 },
        time_zone: 'UTC',
      });
    });

    it('returns nulls, not zeros, for rates and percentiles of an empty range', async () => {
      const { body } = await get(`/api/summary?range=custom&from=${NOW + HOUR}&to=${NOW + 2 * HOUR}`);
      expect(body).toMatchObject({
        requests: 0,
        cost_usd: 0,
        unpriced_calls: 0,
        error_rate: null,
        latency_ms: { p50: null, p95: null },
        ttft_ms: { p50: null, p95: null },
      });
    });

    it('accepts ISO times for a custom range and treats from/to without a range as custom', async () => {
      const from = new Date(NOW - 2 * HOUR - 1).toISOString();
      const { body } = await get(`/api/summary?from=${from}&to=${NOW - HOUR + 1}`);
      expect(body).toMatchObject({ from: NOW - 2 * HOUR - 1, to: NOW - HOUR + 1, requests: 2, prompt_tokens: 300 });
    });
  });

  describe('nearest-rank percentiles on known values', () => {
    it('p50 and p95 of 1..20 and of 1..10', async () => {
      const t = await engine.open();
      try {
        const base = NOW - 10 * HOUR;
        await seedCalls(
          t.store,
          Array.from({ length: 20 }, (_, i) => ({ ts: base + i, duration_ms: 20 - i })),
        );
        await seedCalls(
          t.store,
          Array.from({ length: 10 }, (_, i) => ({ ts: base + 1000 + i, duration_ms: (i + 1) * 10, ttft_ms: i + 1 })),
        );
        const a = createApp({
          store: t.store,
          config: ledgerConfig(t),
          logger: silentLogger,
          mode: 'live',
          clock: () => NOW,
        });
        const first = (await (await a.request(`/api/summary?from=${base}&to=${base + 20}`)).json()) as {
          latency_ms: unknown;
        };
        expect(first.latency_ms).toEqual({ p50: 10, p95: 19 });
        const second = (await (await a.request(`/api/summary?from=${base + 1000}&to=${base + 1010}`)).json()) as {
          latency_ms: unknown;
          ttft_ms: unknown;
        };
        expect(second.latency_ms).toEqual({ p50: 50, p95: 100 });
        expect(second.ttft_ms).toEqual({ p50: 5, p95: 10 });
      } finally {
        await t.cleanup();
      }
    });
  });

  describe('GET /api/breakdown', () => {
    it('groups by model_used, falling back to model_requested, with per-group sums, unpriced counts and median latency', async () => {
      const { body } = await get('/api/breakdown?by=model&range=24h');
      expect(body.by).toBe('model');
      expect(body.rows).toEqual([
        {
          key: 'gpt-4o-mini',
          requests: 5,
          errors: 2,
          prompt_tokens: 307,
          completion_tokens: 150,
          cost_usd: 0.003507,
          unpriced_calls: 0,
          p50_latency_ms: 400,
        },
        {
          key: 'claude-sonnet-4',
          requests: 2,
          errors: 0,
          prompt_tokens: 300,
          completion_tokens: 30,
          cost_usd: 0,
          unpriced_calls: 1,
          p50_latency_ms: 300,
        },
        {
          key: 'dall-e-3',
          requests: 1,
          errors: 0,
          prompt_tokens: 0,
          completion_tokens: 0,
          cost_usd: 0.04,
          unpriced_calls: 0,
          p50_latency_ms: 500,
        },
      ]);
    });

    it('keeps calls without a client as key null, and breaks ties by key', async () => {
      const { body } = await get('/api/breakdown?by=client');
      const rows = body.rows as { key: string | null; requests: number }[];
      expect(rows.map((r) => [r.key, r.requests])).toEqual([
        ['Cherry Studio', 6],
        [null, 1],
        ['Cursor', 1],
      ]);
    });

    it('by status and by tool', async () => {
      const byStatus = (await get('/api/breakdown?by=status')).body.rows as { key: string; requests: number }[];
      expect(byStatus.map((r) => [r.key, r.requests])).toEqual([
        ['ok', 5],
        ['error', 2],
        ['blocked', 1],
      ]);
      const byTool = (await get('/api/breakdown?by=tool')).body.rows as {
        key: string;
        requests: number;
        cost_usd: number;
      }[];
      expect(byTool.map((r) => [r.key, r.requests, r.cost_usd])).toEqual([
        ['chat', 7, 0.003507],
        ['generate_image', 1, 0.04],
      ]);
    });
  });

  describe('GET /api/timeseries', () => {
    it('1-minute buckets for the last hour: 60 zero-filled points; a call at a bucket start counts in that bucket', async () => {
      const { body } = await get('/api/timeseries?range=1h');
      const points = body.points as { t: number; requests: number; errors: number }[];
      expect(body).toMatchObject({ bucket: '1m', bucket_ms: MIN, from: NOW - HOUR, to: NOW });
      expect(points).toHaveLength(60);
      expect(points.every((p, i) => p.t === NOW - HOUR + i * MIN)).toBe(true);
      expect(points.filter((p) => p.requests > 0)).toEqual([
        { t: NOW - HOUR, requests: 1, errors: 0, prompt_tokens: 100, completion_tokens: 50, cost_usd: 0.001 },
        { t: NOW - 30 * MIN, requests: 1, errors: 1, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 },
      ]);
    });

    it('24h in 5-minute buckets adds up to the summary', async () => {
      const { body } = await get('/api/timeseries?range=24h&bucket=5m');
      const points = body.points as { requests: number; prompt_tokens: number; cost_usd: number }[];
      expect(points).toHaveLength(288);
      expect(points.reduce((n, p) => n + p.requests, 0)).toBe(8);
      expect(points.reduce((n, p) => n + p.prompt_tokens, 0)).toBe(607);
      expect(points.reduce((n, p) => n + Math.round(p.cost_usd * 1e9), 0)).toBe(43_507_000);
    });

    it('widens an unaligned custom range to whole buckets', async () => {
      const { body } = await get(`/api/timeseries?from=${NOW - 90 * MIN + 17_000}&to=${NOW - 29 * MIN - 1}&bucket=1m`);
      const points = body.points as { t: number }[];
      expect(body).toMatchObject({ from: NOW - 90 * MIN, to: NOW - 29 * MIN });
      expect(points).toHaveLength(61);
    });
  });

  describe('GET /api/calls', () => {
    it('pages newest first with next_before, and shapes rows for JSON (cost_usd, booleans)', async () => {
      const first = await get('/api/calls?limit=3');
      const calls = first.body.calls as Record<string, unknown>[];
      expect(calls.map((c) => c.id)).toEqual([ids[8], ids[7], ids[6]]);
      expect(first.body.next_before).toBe(ids[6]);
      const next = await get(`/api/calls?limit=3&before=${String(first.body.next_before)}`);
      expect((next.body.calls as { id: number }[]).map((c) => c.id)).toEqual([ids[5], ids[4], ids[3]]);
      const last = await get(`/api/calls?limit=500`);
      expect(last.body.next_before).toBeNull();

      const byId = new Map((last.body.calls as Record<string, unknown>[]).map((c) => [c.id, c]));
      expect(byId.get(ids[0])).toMatchObject({
        cost_usd: 0.001,
        stream: true,
        usage_estimated: false,
        model: 'gpt-4o-mini',
      });
      expect(byId.get(ids[2])).toMatchObject({ cost_usd: null, usage_estimated: true, stream: false });
      expect(byId.get(ids[0])).not.toHaveProperty('cost_nano_usd');
    });

    it('filters by model (matching model_requested when no model answered), status, client, tool and range', async () => {
      const idsOf = async (query: string) =>
        ((await get(`/api/calls?${query}`)).body.calls as { id: number }[]).map((c) => c.id);
      expect(await idsOf('model=gpt-4o-mini')).toEqual([ids[8], ids[7], ids[6], ids[3], ids[1], ids[0]]);
      expect(await idsOf('model=gpt-4o-mini&range=24h')).toEqual([ids[8], ids[7], ids[3], ids[1], ids[0]]);
      expect(await idsOf('status=blocked')).toEqual([ids[4]]);
      expect(await idsOf('client=Cursor')).toEqual([ids[1]]);
      expect(await idsOf('tool=generate_image')).toEqual([ids[5]]);
      // An empty filter (a form's "All") is no filter.
      expect(await idsOf('model=&status=&limit=2')).toEqual([ids[8], ids[7]]);
    });
  });

  describe('GET /api/errors', () => {
    it('groups failures by type and status with the latest message and a plain-words hint', async () => {
      const { body } = await get('/api/errors?range=24h');
      expect(body.rows).toEqual([
        {
          error_type: 'rate_limit',
          http_status: 429,
          status: 'error',
          count: 2,
          last_ts: NOW - 30 * MIN,
          last_message: 'Rate limit reached (latest)',
          hint_code: 'rate_limit',
          hint: expect.stringContaining('rate-limited you; calls were retried with backoff'),
        },
        {
          error_type: 'quota_exceeded',
          http_status: null,
          status: 'blocked',
          count: 1,
          last_ts: NOW - 5 * HOUR,
          last_message: "quota 'daily' reached",
          hint_code: 'quota_exceeded',
          hint: expect.stringContaining('quota'),
        },
      ]);
    });
  });

  describe('GET /api/info', () => {
    it('names the mode, version, zone, ledger file and only the host of the upstream', async () => {
      const { body } = await get('/api/info');
      expect(body).toMatchObject({
        mode: 'live',
        version: packageVersion(),
        time_zone: 'UTC',
        ledger_path: temp.store.location,
        upstream: 'api.cometapi.com',
      });
    });
  });

  describe('bad query parameters → 400 naming the parameter and what is allowed', () => {
    const cases: [string, string][] = [
      ['/api/summary?range=2d', 'range: must be one of 1h, 24h, 7d, 30d, custom'],
      ['/api/summary?tz=Mars/Olympus', 'tz: must be an IANA time zone'],
      ['/api/summary?from=yesterday', 'from: must be milliseconds since the Unix epoch or an ISO 8601 time'],
      ['/api/summary?range=custom', 'from: required when range=custom'],
      [`/api/summary?from=${NOW}&to=${NOW - 1}`, 'from: must be earlier than to'],
      [`/api/summary?range=24h&from=${NOW}`, 'from/to: only allowed with range=custom'],
      ['/api/summary?rnage=7d', "unknown query parameter 'rnage'; allowed: range, from, to, tz"],
      ['/api/timeseries?bucket=2h', 'bucket: must be one of auto, 1m, 5m, 1h, 1d'],
      ['/api/timeseries?range=30d&bucket=1m', 'bucket: 1m buckets over this range would give more than 2000 points'],
      ['/api/breakdown?by=country', 'by: must be one of model, tool, client, provider, status'],
      ['/api/calls?limit=0', 'limit: must be a whole number from 1 to 500'],
      ['/api/calls?limit=501', 'limit: must be a whole number from 1 to 500'],
      ['/api/calls?limit=ten', 'limit: must be a whole number from 1 to 500'],
      ['/api/calls?status=failed', 'status: must be one of ok, error, blocked'],
      ['/api/events?after=-1', 'after: must be a whole number'],
    ];
    it.each(cases)('%s', async (path, message) => {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body.error).toContain(message);
    });
  });
});
