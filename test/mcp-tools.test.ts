import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, textOf, TEST_KEY, type Harness } from './helpers/harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls } from './helpers/ledger.js';
import { reconcileDeps, refreshDeps } from './helpers/balance.js';
import { reconcileDays } from '../src/balance/reconcile.js';
import { refreshBalance } from '../src/balance/snapshot.js';

const ENGINES = ledgerEngines('MCP tool tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ engine, clientName: 'Cherry Studio' });
  });
  afterEach(async () => {
    await h.close();
  });

  const lastResponse = () => {
    const r = h.sim.responses.at(-1);
    if (!r) throw new Error('the simulated upstream answered nothing');
    return r;
  };

  describe('chat', () => {
    it('answers and records the exact usage the upstream reported, with cost and client name', async () => {
      const result = await h.call('chat', { prompt: 'Say hello to the ledger', model: 'gpt-4o-mini' });
      expect(result.isError).toBeFalsy();
      const upstream = lastResponse();
      expect(upstream.stream).toBe(true);
      const usage = upstream.usage;
      if (!usage) throw new Error('expected usage from the simulator');
      const structured = result.structuredContent as Record<string, unknown>;
      expect(structured.text).toMatch(/Simulated/);
      expect(structured.usage).toEqual({
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.total_tokens,
        estimated: false,
      });
      const [row] = await allCalls(h.runtime.store);
      expect(row).toMatchObject({
        status: 'ok',
        tool: 'chat',
        client: 'Cherry Studio',
        source: 'mcp-stdio',
        provider: 'cometapi',
        model_requested: 'gpt-4o-mini',
        model_used: 'gpt-4o-mini',
        stream: 1,
        retries: 0,
        usage_estimated: 0,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        http_status: 200,
      });
      // gpt-4o-mini: $0.15 / $0.60 per million tokens = 150 / 600 nano-USD per token.
      expect(row?.cost_nano_usd).toBe(usage.prompt_tokens * 150 + usage.completion_tokens * 600);
      expect(structured.cost_usd).toBeCloseTo((row?.cost_nano_usd ?? 0) / 1e9, 15);
      expect(row?.ttft_ms).not.toBeNull();
      // The answer comes first in the text content, the figures after it.
      expect(textOf(result).startsWith(String(structured.text))).toBe(true);
    });

    it('retries a 429, honouring Retry-After, and records the retries on one row', async () => {
      h.sim.enqueueFault({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { times: 2 });
      const result = await h.call('chat', { prompt: 'retry me' });
      expect(result.isError).toBeFalsy();
      expect(h.sleeps).toHaveLength(2);
      for (const delay of h.sleeps) expect(delay).toBeGreaterThanOrEqual(2000);
      const rows = await allCalls(h.runtime.store);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'ok', retries: 2 });
      expect(h.sim.requests).toBe(3);
    });

    it('names an unknown model in a clear error, without retrying, and records it', async () => {
      const result = await h.call('chat', { prompt: 'hi', model: 'gpt-5x' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("model 'gpt-5x' is not offered");
      expect(textOf(result)).toContain('list_models');
      expect(h.sim.requests).toBe(1);
      expect((await allCalls(h.runtime.store))[0]).toMatchObject({
        status: 'error',
        error_type: 'model_not_found',
        http_status: 404,
        retries: 0,
        model_requested: 'gpt-5x',
        cost_nano_usd: null,
      });
    });

    it('falls back to the next model and records where it fell back from', async () => {
      const result = await h.call('chat', { prompt: 'hi', model: 'gpt-5x', fallback_models: ['gemini-2.5-flash'] });
      expect(result.isError).toBeFalsy();
      expect((await allCalls(h.runtime.store))[0]).toMatchObject({
        status: 'ok',
        model_requested: 'gpt-5x',
        model_used: 'gemini-2.5-flash',
        fallback_from: 'gpt-5x',
      });
    });

    it('sends progress notifications when the client asks for them', async () => {
      const progress: number[] = [];
      const result = await h.client.callTool(
        { name: 'chat', arguments: { prompt: 'stream to me please', max_tokens: 60 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(result.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThan(0);
    });

    it.each([
      [{ prompt: '' }, '"prompt" must not be empty'],
      [{ prompt: 42 }, 'prompt'],
      [{}, '"prompt" is required'],
      [{ prompt: 'x', temperature: 7 }, 'temperature'],
      [{ prompt: 'x', messages: [{ role: 'user', content: 'y' }] }, 'not both'],
    ])('rejects bad input %j with a clear error and no upstream call', async (args, message) => {
      const result = await h.call('chat', args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(message);
      expect(h.sim.requests).toBe(0);
    });
  });

  describe('create_embeddings', () => {
    it('returns vectors in structured content, a summary in text, and records tokens', async () => {
      const result = await h.call('create_embeddings', { input: ['alpha', 'beta gamma'], dimensions: 8 });
      expect(result.isError).toBeFalsy();
      const s = result.structuredContent as {
        vectors: number[][];
        dimensions: number;
        usage: { prompt_tokens: number };
      };
      expect(s.vectors).toHaveLength(2);
      expect(s.dimensions).toBe(8);
      expect(textOf(result).length).toBeLessThan(400);
      const usage = lastResponse().usage;
      expect((await allCalls(h.runtime.store))[0]).toMatchObject({
        tool: 'create_embeddings',
        prompt_tokens: usage?.prompt_tokens,
        model_used: 'text-embedding-3-small',
      });
    });
  });

  describe('generate_image', () => {
    it('returns a PNG the client can show, saves it, and records one image', async () => {
      const result = await h.call('generate_image', { prompt: 'a comet over a lake', model: 'dall-e-3' });
      expect(result.isError).toBeFalsy();
      expect(result.content[0]?.type).toBe('text');
      const image = result.content.find((c) => c.type === 'image');
      if (!image || image.type !== 'image') throw new Error('no image content');
      expect(image.mimeType).toBe('image/png');
      expect(Buffer.from(image.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
      const s = result.structuredContent as { images: { path: string; inline: boolean; downscaled: boolean }[] };
      expect(fs.existsSync(s.images[0]?.path ?? '')).toBe(true);
      expect(s.images[0]).toMatchObject({ inline: true, downscaled: false });
      expect((await allCalls(h.runtime.store))[0]).toMatchObject({
        tool: 'generate_image',
        images: 1,
        cost_nano_usd: 40_000_000,
      });
    });

    it('fetches images from upstreams that answer with URLs', async () => {
      const byUrl = await startHarness({ engine, sim: { imageUrlsOnly: true } });
      try {
        const result = await byUrl.call('generate_image', { prompt: 'by url', model: 'dall-e-3' });
        expect(result.isError).toBeFalsy();
        const image = result.content.find((c) => c.type === 'image');
        expect(image?.type === 'image' && Buffer.from(image.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
        // The answer's URL was fetched from the simulator: one generation plus one file download.
        expect(byUrl.sim.responses.map((r) => r.path)).toEqual([
          '/v1/images/generations',
          expect.stringMatching(/^\/v1\/files\//),
        ]);
      } finally {
        await byUrl.close();
      }
    });

    it('refuses an absurd n before calling the upstream', async () => {
      const result = await h.call('generate_image', { prompt: 'many', n: 500 });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('at most 4');
      expect(h.sim.requests).toBe(0);
    });
  });

  describe('list_models and get_usage', () => {
    it('lists and filters the upstream models with prices', async () => {
      const result = await h.call('list_models', { filter: 'embedding' });
      const s = result.structuredContent as { models: { id: string; input_usd_per_mtok: number | null }[] };
      expect(s.models.map((m) => m.id)).toEqual(['text-embedding-3-large', 'text-embedding-3-small']);
      expect(s.models[1]?.input_usd_per_mtok).toBe(0.02);
    });

    it('reports usage from the ledger grouped by model', async () => {
      await h.call('chat', { prompt: 'one', model: 'gpt-4o' });
      await h.call('chat', { prompt: 'two', model: 'gpt-4o' });
      await h.call('chat', { prompt: 'three', model: 'deepseek-v3' });
      const result = await h.call('get_usage', { since: 'today', by: 'model' });
      const s = result.structuredContent as {
        total: { requests: number; prompt_tokens: number };
        rows: { key: string; requests: number }[];
      };
      expect(s.total.requests).toBe(3);
      expect(Object.fromEntries(s.rows.map((r) => [r.key, r.requests]))).toEqual({ 'gpt-4o': 2, 'deepseek-v3': 1 });
      const rows = await allCalls(h.runtime.store);
      expect(s.total.prompt_tokens).toBe(rows.reduce((sum, r) => sum + r.prompt_tokens, 0));
      expect(textOf(result)).toContain('gpt-4o');
    });
  });

  describe('secrets', () => {
    it('never writes the key into the ledger, its files, logs or error messages', async () => {
      h.sim.enqueueFault({ kind: 'status', status: 500, message: `boom for ${TEST_KEY}` }, { times: 10 });
      const failed = await h.call('chat', { prompt: 'fail' });
      expect(failed.isError).toBe(true);
      await h.call('chat', { prompt: 'fine now' });
      // The query service takes the key in its URL: its answers, failures and reconciliations are rows too.
      const balance = refreshDeps(h);
      h.sim.enqueueFault({ kind: 'malformed' }, { path: '/user/quota' });
      expect((await refreshBalance(balance)).error).toMatch(/not JSON/);
      expect((await refreshBalance(balance)).error).toBeNull();
      await reconcileDays(reconcileDeps(h, Date.now, 2), { store: true });
      const usage = await h.call('get_usage', {});
      expect(JSON.stringify(usage)).toContain('CometAPI balance');
      expect(JSON.stringify(usage)).not.toContain(TEST_KEY);
      expect(textOf(failed)).not.toContain(TEST_KEY);
      const rows = await allCalls(h.runtime.store);
      expect(rows.map((r) => r.error_message).join('\n')).toContain('boom for');
      expect(JSON.stringify(rows)).not.toContain(TEST_KEY);
      await h.runtime.close(); // every row written and the WAL folded into the file
      if (engine.name === 'sqlite') {
        const dir = path.dirname(h.config.dbPath);
        const files = fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(h.config.dbPath)));
        expect(files.length).toBeGreaterThan(0);
        for (const f of files) expect(fs.readFileSync(path.join(dir, f)).includes(TEST_KEY)).toBe(false);
      }
      expect(h.logs.join('\n')).not.toContain(TEST_KEY);
    });
  });
});
