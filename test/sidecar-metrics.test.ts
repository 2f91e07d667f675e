import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { register as globalRegistry } from 'prom-client';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { allCalls, ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Just enough of the Prometheus text format: HELP/TYPE comments and `name{a="b",...} value` lines. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name && type) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = (pair[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return { samples, types };
}

function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

const ENGINES = ledgerEngines('/metrics tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let temp: EngineLedger;
  let app: Hono;

  async function scrape() {
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parsePrometheus(await res.text());
  }

  beforeAll(async () => {
    temp = await engine.open();
    await seedCalls(temp.store, [
      { prompt_tokens: 100, completion_tokens: 10, cost_nano_usd: 1_500_000, duration_ms: 200, ttft_ms: 80 },
      { prompt_tokens: 200, completion_tokens: 20, cost_nano_usd: 2_500_000, duration_ms: 700 },
      {
        model_used: 'mystery-model',
        model_requested: 'mystery-model',
        cost_nano_usd: null,
        duration_ms: 3000,
        client: 'Cursor',
      },
      {
        status: 'error',
        error_type: 'rate_limit',
        http_status: 429,
        model_used: null,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_nano_usd: null,
        retries: 3,
        duration_ms: 9000,
      },
      {
        status: 'blocked',
        error_type: 'quota_exceeded',
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_nano_usd: null,
        duration_ms: 1,
      },
    ]);
    app = createApp({ store: temp.store, config: ledgerConfig(temp), logger: silentLogger, mode: 'live' });
  });
  afterAll(() => temp.cleanup());

  describe('GET /metrics', () => {
    it('derives counters and histograms from the ledger rows', async () => {
      const { samples, types } = await scrape();
      expect(types.get('cometapi_requests_total')).toBe('counter');
      expect(types.get('cometapi_request_duration_seconds')).toBe('histogram');
      expect(total(samples, 'cometapi_requests_total')).toBe(5);
      expect(total(samples, 'cometapi_requests_total', { status: 'ok' })).toBe(3);
      expect(
        total(samples, 'cometapi_requests_total', {
          model: 'gpt-4o-mini',
          tool: 'chat',
          client: 'Cherry Studio',
          status: 'error',
        }),
      ).toBe(1);
      expect(total(samples, 'cometapi_prompt_tokens_total')).toBe(310);
      expect(total(samples, 'cometapi_completion_tokens_total')).toBe(50);
      expect(total(samples, 'cometapi_cost_usd_total')).toBeCloseTo(0.004, 12);
      expect(total(samples, 'cometapi_cost_usd_total', { model: 'gpt-4o-mini' })).toBe(0.004);
      expect(total(samples, 'cometapi_unpriced_calls_total')).toBe(1);
      expect(total(samples, 'cometapi_unpriced_calls_total', { model: 'mystery-model', client: 'Cursor' })).toBe(1);
      expect(total(samples, 'cometapi_errors_total', { error_type: 'rate_limit' })).toBe(1);
      expect(total(samples, 'cometapi_errors_total', { error_type: 'quota_exceeded' })).toBe(1);
      expect(total(samples, 'cometapi_retries_total')).toBe(3);
      // Blocked calls never reached the upstream: 4 timed calls, 2 of them within 1 s.
      expect(total(samples, 'cometapi_request_duration_seconds_count')).toBe(4);
      expect(total(samples, 'cometapi_request_duration_seconds_bucket', { le: '1' })).toBe(2);
      expect(total(samples, 'cometapi_request_duration_seconds_bucket', { le: '+Inf' })).toBe(4);
      expect(total(samples, 'cometapi_request_duration_seconds_sum')).toBeCloseTo(12.9, 9);
      expect(total(samples, 'cometapi_ttft_seconds_count')).toBe(1);
    });

    it('counts rows written by another connection (another process) on the same ledger', async () => {
      const other = await temp.another();
      await seedCalls(other, [
        {
          prompt_tokens: 1000,
          completion_tokens: 1,
          cost_nano_usd: 1_000_000_000,
          duration_ms: 400,
          client: 'Claude Desktop',
        },
        { prompt_tokens: 5, completion_tokens: 5, cost_nano_usd: 5_000, duration_ms: 50_000, client: 'Claude Desktop' },
      ]);
      const { samples } = await scrape();
      expect(total(samples, 'cometapi_requests_total')).toBe(7);
      expect(total(samples, 'cometapi_requests_total', { client: 'Claude Desktop' })).toBe(2);
      expect(total(samples, 'cometapi_prompt_tokens_total')).toBe(1315);
      expect(total(samples, 'cometapi_cost_usd_total', { client: 'Claude Desktop' })).toBe(1.000005);
      expect(total(samples, 'cometapi_request_duration_seconds_count')).toBe(6);
      expect(total(samples, 'cometapi_request_duration_seconds_bucket', { le: '30' })).toBe(5);
      const ledgerPrompt = (await allCalls(temp.store)).reduce((sum, call) => sum + call.prompt_tokens, 0);
      expect(total(samples, 'cometapi_prompt_tokens_total')).toBe(ledgerPrompt);
    });

    it('uses a registry per app, never prom-client’s global one', async () => {
      const second = createApp({ store: temp.store, config: ledgerConfig(temp), logger: silentLogger, mode: 'live' });
      expect((await second.request('/metrics')).status).toBe(200);
      expect(await globalRegistry.metrics()).not.toContain('cometapi_');
    });
  });
});
