/**
 * Every upstream failure the simulator can inject, through the real chat tool: what the caller
 * sees, what the ledger holds, and that each call is exactly one row however many attempts it took.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRow } from '../src/ledger/calls.js';
import { MeteredCallError } from '../src/metering.js';
import { chatOperation } from '../src/mcp/tools/chat-call.js';
import type { SimFault } from '../src/upstream/simulated.js';
import { countTokens } from '../src/upstream/usage.js';
import { startHarness, textOf, type Harness, type HarnessOptions } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const ENGINES = ledgerEngines('fault matrix');

describe.each(ENGINES)('$name ledger', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // Short per-attempt timeout for the hang cases, and a 1 MB cap so "oversized" stays cheap to send.
  const ENV = { COMETAPI_TIMEOUT_MS: '300', COMETAPI_MAX_RETRIES: '2', COMETAPI_MAX_RESPONSE_MB: '1' };

  async function start(options: HarnessOptions = {}): Promise<Harness> {
    h = await startHarness({ ...options, engine, env: { ...ENV, ...options.env } });
    return h;
  }

  /** Exactly one row per call, whatever happened. */
  async function onlyRow(harness: Harness): Promise<CallRow> {
    const rows = await allCalls(harness.runtime.store);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    if (!row) throw new Error('no row');
    return row;
  }

  interface Case {
    name: string;
    fault: SimFault;
    times: number;
    sees: RegExp;
    row: Partial<CallRow>;
  }

  // Each fault repeats past the retry budget (1 attempt + 2 retries), so the call fails with it.
  const failing: Case[] = [
    {
      name: '429 with Retry-After',
      fault: { kind: 'status', status: 429, retryAfterSeconds: 1 },
      times: 3,
      sees: /rate-limited the request \(HTTP 429\).*after 2 retries/,
      row: { error_type: 'rate_limit', http_status: 429, retries: 2 },
    },
    {
      name: '429 without Retry-After',
      fault: { kind: 'status', status: 429 },
      times: 3,
      sees: /rate-limited.*after 2 retries/,
      row: { error_type: 'rate_limit', http_status: 429, retries: 2 },
    },
    {
      name: '500',
      fault: { kind: 'status', status: 500 },
      times: 3,
      sees: /server error \(HTTP 500\) after 2 retries.*fallback_models/,
      row: { error_type: 'server_error', http_status: 500, retries: 2 },
    },
    {
      name: '502',
      fault: { kind: 'status', status: 502 },
      times: 3,
      sees: /server error \(HTTP 502\) after 2 retries/,
      row: { error_type: 'server_error', http_status: 502, retries: 2 },
    },
    {
      name: '503',
      fault: { kind: 'status', status: 503 },
      times: 3,
      sees: /server error \(HTTP 503\) after 2 retries/,
      row: { error_type: 'server_error', http_status: 503, retries: 2 },
    },
    {
      name: 'hang past the timeout',
      fault: { kind: 'hang' },
      times: 3,
      sees: /did not answer in time after 2 retries: no complete answer within 300 ms.*COMETAPI_TIMEOUT_MS/,
      row: { error_type: 'timeout', http_status: null, retries: 2 },
    },
    {
      name: 'reset mid-stream',
      fault: { kind: 'reset' },
      times: 3,
      sees: /connection to cometapi failed after 2 retries/,
      row: { error_type: 'connection_error', http_status: null, retries: 2 },
    },
    {
      name: 'malformed JSON',
      fault: { kind: 'malformed' },
      times: 3,
      sees: /cometapi sent an answer that could not be read after 2 retries/,
      row: { error_type: 'malformed_response', http_status: null, retries: 2 },
    },
    {
      name: 'oversized response (2 MB, cap 1 MB)',
      fault: { kind: 'oversize', bytes: 2 * 1024 * 1024 },
      times: 1,
      sees: /larger than 1 MB.*refused.*COMETAPI_MAX_RESPONSE_MB/,
      row: { error_type: 'response_too_large', http_status: null, retries: 0 },
    },
  ];

  describe('a fault that persists: the call fails once, clearly, on one row', () => {
    it.each(failing)('$name', async ({ fault, times, sees, row }) => {
      const harness = await start();
      harness.sim.enqueueFault(fault, { times });
      const result = await harness.call('chat', { prompt: 'fault matrix', model: 'gpt-4o-mini' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(sees);
      expect(textOf(result)).not.toContain(harness.config.key ?? 'no key');
      expect(await onlyRow(harness)).toMatchObject({
        status: 'error',
        fallback_from: null,
        usage_estimated: 0,
        prompt_tokens: 0,
        cost_nano_usd: null,
        ...row,
      });
      // Attempts made = 1 + retries recorded: nothing sent that the row does not count.
      expect(harness.sim.requests).toBe(1 + (row.retries ?? 0));
    });
  });

  describe('a fault that passes: retried, answered, one row counting the retry', () => {
    it.each(failing.filter((c) => c.row.retries !== 0))('$name once', async ({ fault }) => {
      const harness = await start();
      harness.sim.enqueueFault(fault, { times: 1 });
      const result = await harness.call('chat', { prompt: 'fault matrix', model: 'gpt-4o-mini' });
      expect(result.isError).toBeFalsy();
      expect(await onlyRow(harness)).toMatchObject({
        status: 'ok',
        retries: 1,
        error_type: null,
        fallback_from: null,
        usage_estimated: 0,
        http_status: 200,
      });
      // The answer is whole and only the successful attempt's usage is counted.
      const final = harness.sim.responses.at(-1);
      expect(final?.fault).toBeNull();
      expect(await onlyRow(harness)).toMatchObject({
        prompt_tokens: final?.usage?.prompt_tokens,
        completion_tokens: final?.usage?.completion_tokens,
      });
      expect(harness.sim.requests).toBe(2);
    });

    it('honours Retry-After over a shorter backoff, and backs off with jitter without it', async () => {
      const harness = await start();
      harness.sim.enqueueFault({ kind: 'status', status: 429, retryAfterSeconds: 3 }, { times: 1 });
      harness.sim.enqueueFault({ kind: 'status', status: 429 }, { times: 1 });
      expect((await harness.call('chat', { prompt: 'x' })).isError).toBeFalsy();
      // random() is 0.5 in the harness: 3 s from the header, then 0.5 × min(8 s, 0.5 s × 2¹).
      expect(harness.sleeps).toEqual([3000, 500]);
      expect(await onlyRow(harness)).toMatchObject({ status: 'ok', retries: 2 });
    });
  });

  describe('faults that are never retried', () => {
    it('unknown model: 404 named in the message, no retry', async () => {
      const harness = await start();
      const result = await harness.call('chat', { prompt: 'x', model: 'gpt-5x' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/model 'gpt-5x' is not offered by cometapi \(HTTP 404\).*list_models/);
      expect(await onlyRow(harness)).toMatchObject({
        status: 'error',
        error_type: 'model_not_found',
        http_status: 404,
        retries: 0,
        fallback_from: null,
      });
      expect(harness.sim.requests).toBe(1);
    });

    it('bad key: 401, says which variable to check, never echoes the key', async () => {
      const badKey = 'sk-wrong-0123456789abcdef0123456789';
      const harness = await start({ key: badKey });
      const result = await harness.call('chat', { prompt: 'x' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/rejected the API key \(HTTP 401\).*COMETAPI_KEY/);
      expect(textOf(result)).not.toContain(badKey);
      const row = await onlyRow(harness);
      expect(row).toMatchObject({ status: 'error', error_type: 'auth', http_status: 401, retries: 0 });
      expect(JSON.stringify(row)).not.toContain(badKey);
      expect(harness.sim.requests).toBe(1);
    });

    it('400: the request itself is wrong, so neither retried nor failed over', async () => {
      const harness = await start();
      harness.sim.enqueueFault({ kind: 'status', status: 400, message: 'max_tokens is too large' }, { times: 1 });
      const result = await harness.call('chat', { prompt: 'x', fallback_models: ['gemini-2.5-flash'] });
      expect(textOf(result)).toMatch(/refused the request.*max_tokens is too large/);
      expect(await onlyRow(harness)).toMatchObject({
        status: 'error',
        error_type: 'bad_request',
        retries: 0,
        fallback_from: null,
      });
      expect(harness.sim.requests).toBe(1);
    });
  });

  describe('fallback chains', () => {
    it('moves on after retries run out, and records where it fell back from', async () => {
      const harness = await start();
      harness.sim.enqueueFault({ kind: 'status', status: 503 }, { times: 10, model: 'gpt-4o' });
      const result = await harness.call('chat', {
        prompt: 'x',
        model: 'gpt-4o',
        fallback_models: ['gemini-2.5-flash'],
      });
      expect(result.isError).toBeFalsy();
      expect(await onlyRow(harness)).toMatchObject({
        status: 'ok',
        model_requested: 'gpt-4o',
        model_used: 'gemini-2.5-flash',
        fallback_from: 'gpt-4o',
        retries: 2,
      });
      expect(harness.sim.requests).toBe(4);
    });

    it('uses the config file chain, and names every model tried when all fail', async () => {
      const file = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'fm-')), 'config.json');
      fs.writeFileSync(file, JSON.stringify({ fallbacks: { 'gpt-5x': ['gpt-4o', 'gemini-2.5-flash'] } }));
      const harness = await start({ env: { COMETAPI_MCP_CONFIG: file, COMETAPI_MAX_RETRIES: '0' } });
      harness.sim.enqueueFault({ kind: 'status', status: 502 }, { model: 'gpt-4o' });
      harness.sim.enqueueFault({ kind: 'status', status: 503 }, { model: 'gemini-2.5-flash' });
      const result = await harness.call('chat', { prompt: 'x', model: 'gpt-5x' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('fallback chain tried: gpt-5x → gpt-4o → gemini-2.5-flash');
      expect(await onlyRow(harness)).toMatchObject({
        status: 'error',
        error_type: 'server_error',
        http_status: 503,
        fallback_from: 'gpt-5x',
        model_requested: 'gpt-5x',
        retries: 0,
      });
      expect(harness.sim.requests).toBe(3);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });
  });

  describe('a stream whose tokens were already forwarded (the proxy)', () => {
    it('is not retried or failed over after a mid-stream reset', async () => {
      const harness = await start();
      harness.sim.enqueueFault({ kind: 'reset' }, { times: 1 });
      let sent = false;
      const op = chatOperation({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        fallbackModels: ['gemini-2.5-flash'],
        onDelta: () => (sent = true),
      });
      const error = await harness.runtime.metering
        .run({ source: 'proxy', client: 'test', tool: '/v1/chat/completions' }, { ...op, forwarded: () => sent })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(MeteredCallError);
      expect(String(error)).toMatch(/already been sent on, so it was not retried/);
      expect(await onlyRow(harness)).toMatchObject({
        status: 'error',
        error_type: 'connection_error',
        retries: 0,
        fallback_from: null,
      });
      expect(harness.sim.requests).toBe(1);
    });
  });

  describe('usage the upstream leaves out', () => {
    it('is counted with the tokenizer and flagged estimated', async () => {
      const harness = await start();
      harness.sim.enqueueFault({ kind: 'no-usage' }, { times: 1 });
      const result = await harness.call('chat', { prompt: 'count these tokens for me', model: 'gpt-4o-mini' });
      expect(result.isError).toBeFalsy();
      expect(harness.sim.responses.at(-1)?.usage).toBeNull();
      const row = await onlyRow(harness);
      const text = String((result.structuredContent as { text: string }).text);
      expect(row).toMatchObject({
        status: 'ok',
        usage_estimated: 1,
        retries: 0,
        completion_tokens: await countTokens([text]),
      });
      // One user message: its tokens plus OpenAI's 3-per-message and 3-to-prime overhead.
      expect(row.prompt_tokens).toBe((await countTokens(['count these tokens for me'])) + 6);
      expect(row.cost_nano_usd).toBeGreaterThan(0);
      expect(textOf(result)).toContain('(estimated)');
    });
  });
});
