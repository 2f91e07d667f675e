/**
 * Providers from the config file, model routing and the retry settings, through the real chat
 * tool against two simulated upstreams (the built-in provider and a second "other" one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { cappedFetch, ResponseTooLargeError } from '../src/upstream/body-cap.js';
import { startSimulatedUpstream, type RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { startHarness, tempDir, textOf, type Harness } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';

const OTHER_KEY = 'sk-other-provider-0123456789abcdef';
let other: RunningSimulatedUpstream;
let dir: string;
let h: Harness | undefined;

beforeAll(async () => {
  other = await startSimulatedUpstream({ apiKey: OTHER_KEY, latencyMs: 0, tokensPerSecond: 0 });
  dir = tempDir('routing-');
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  other.reset();
});
afterAll(async () => {
  await other.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(content: unknown): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

const withOther = (extra: Record<string, unknown> = {}) =>
  writeConfig({ providers: { other: { base_url: other.baseUrl, api_key_env: 'OTHER_API_KEY' } }, ...extra });

function configError(content: unknown, env: Record<string, string> = {}): string {
  try {
    loadConfig({ COMETAPI_MCP_CONFIG: writeConfig(content), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the config file', () => {
  it('rejects an inline key, naming the field and the env-var way, without echoing the key', () => {
    const message = configError({
      providers: { openrouter: { base_url: 'https://openrouter.ai/api/v1', api_key: 'sk-or-secret-value' } },
    });
    expect(message).toContain('providers.openrouter.api_key');
    expect(message).toContain('"api_key_env": "OPENROUTER_API_KEY"');
    expect(message).not.toContain('sk-or-secret-value');
  });

  it.each([
    [{ providers: { openrouter: { base_url: 'not a url' } } }, 'providers.openrouter.base_url'],
    [
      { providers: { openrouter: { base_url: 'https://x.test/v1', api_key_env: 'sk-abc123' } } },
      'providers.openrouter.api_key_env: must be the NAME',
    ],
    [{ providers: { cometapi: { base_url: 'https://x.test/v1' } } }, 'COMETAPI_BASE_URL'],
    [{ providers: { 'Open/Router': { base_url: 'https://x.test/v1' } } }, 'provider names are lower-case'],
    [{ fallbacks: { 'gpt-4o': [] } }, 'fallbacks.gpt-4o'],
    [{ retry: { max_retries: 99 } }, 'retry.max_retries'],
    [{ retries: 3 }, 'retries'],
  ])('names the bad field in %j', (content, fragment) => {
    expect(configError(content)).toContain(fragment);
  });

  it('says which file could not be read', () => {
    expect(() => loadConfig({ COMETAPI_MCP_CONFIG: path.join(dir, 'missing.json') })).toThrow(
      /COMETAPI_MCP_CONFIG: could not read .*missing\.json/,
    );
  });

  it('takes retry settings from the file, with the environment winning over it', () => {
    const file = writeConfig({
      retry: { max_retries: 5, base_delay_ms: 100, max_delay_ms: 1000, max_total_ms: 5000, timeout_ms: 9000 },
      max_response_mb: 8,
    });
    const fromFile = loadConfig({ COMETAPI_MCP_CONFIG: file });
    expect(fromFile).toMatchObject({
      maxRetries: 5,
      timeoutMs: 9000,
      retry: { baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 5000 },
      maxResponseBytes: 8 * 1024 * 1024,
    });
    const fromEnv = loadConfig({
      COMETAPI_MCP_CONFIG: file,
      COMETAPI_MAX_RETRIES: '1',
      COMETAPI_RETRY_BASE_DELAY_MS: '40',
    });
    expect(fromEnv).toMatchObject({ maxRetries: 1, timeoutMs: 9000, retry: { baseDelayMs: 40 } });
    expect(loadConfig({})).toMatchObject({
      maxRetries: 3,
      timeoutMs: 120_000,
      retry: { baseDelayMs: 500, maxDelayMs: 8000, maxTotalMs: 60_000 },
      maxResponseBytes: 64 * 1024 * 1024,
    });
  });
});

describe('routing', () => {
  it('sends provider/model to that provider and records both on the row', async () => {
    h = await startHarness({ env: { COMETAPI_MCP_CONFIG: withOther(), OTHER_API_KEY: OTHER_KEY } });
    const result = await h.call('chat', { prompt: 'hi', model: 'other/gpt-4o' });
    expect(result.isError).toBeFalsy();
    expect(other.requests).toBe(1);
    expect(other.responses[0]?.model).toBe('gpt-4o');
    expect(h.sim.requests).toBe(0);
    expect(await allCalls(h.runtime.store)).toEqual([
      expect.objectContaining({
        provider: 'other',
        model_requested: 'other/gpt-4o',
        model_used: 'gpt-4o',
        status: 'ok',
      }),
    ]);
  });

  it('leaves a "/" model on the built-in provider unless the prefix is a configured provider', async () => {
    h = await startHarness({ env: { COMETAPI_MCP_CONFIG: withOther(), OTHER_API_KEY: OTHER_KEY } });
    await h.call('chat', { prompt: 'hi', model: 'meta-llama/llama-3-8b' });
    expect(other.requests).toBe(0);
    expect(h.sim.responses[0]?.model).toBe('meta-llama/llama-3-8b');
    expect((await allCalls(h.runtime.store))[0]).toMatchObject({ provider: 'cometapi', error_type: 'model_not_found' });
  });

  it('follows the routing table and the config file fallback chain across providers', async () => {
    const file = withOther({
      routes: { fast: 'other/gpt-4o-mini' },
      fallbacks: { 'gpt-4o': ['other/gemini-2.5-flash'] },
    });
    h = await startHarness({ env: { COMETAPI_MCP_CONFIG: file, OTHER_API_KEY: OTHER_KEY, COMETAPI_MAX_RETRIES: '0' } });
    expect((await h.call('chat', { prompt: 'hi', model: 'fast' })).isError).toBeFalsy();
    h.sim.enqueueFault({ kind: 'status', status: 503 });
    expect((await h.call('chat', { prompt: 'hi', model: 'gpt-4o' })).isError).toBeFalsy();
    // A per-call list (even empty) replaces the file's chain.
    h.sim.enqueueFault({ kind: 'status', status: 503 });
    expect((await h.call('chat', { prompt: 'hi', model: 'gpt-4o', fallback_models: [] })).isError).toBe(true);
    expect(await allCalls(h.runtime.store)).toEqual([
      expect.objectContaining({
        provider: 'other',
        model_requested: 'fast',
        model_used: 'gpt-4o-mini',
        fallback_from: null,
      }),
      expect.objectContaining({
        provider: 'other',
        model_requested: 'gpt-4o',
        model_used: 'gemini-2.5-flash',
        fallback_from: 'gpt-4o',
      }),
      expect.objectContaining({
        provider: 'cometapi',
        status: 'error',
        error_type: 'server_error',
        fallback_from: null,
      }),
    ]);
  });

  it('names the missing variable for a provider without its key, before any request', async () => {
    h = await startHarness({ env: { COMETAPI_MCP_CONFIG: withOther() } });
    const result = await h.call('chat', { prompt: 'hi', model: 'other/gpt-4o' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/provider 'other' needs its API key in OTHER_API_KEY, which is not set/);
    expect(other.requests + h.sim.requests).toBe(0);
  });

  it('without COMETAPI_KEY still reaches a configured provider that has its key', async () => {
    h = await startHarness({ key: null, env: { COMETAPI_MCP_CONFIG: withOther(), OTHER_API_KEY: OTHER_KEY } });
    expect((await h.call('chat', { prompt: 'hi', model: 'other/gpt-4o' })).isError).toBeFalsy();
    const builtIn = await h.call('chat', { prompt: 'hi', model: 'gpt-4o' });
    expect(textOf(builtIn)).toContain('COMETAPI_KEY is not set');
    expect(await h.runtime.store.calls.count()).toBe(1);
  });

  it('tells a rejected provider key by its variable name', async () => {
    h = await startHarness({
      env: { COMETAPI_MCP_CONFIG: withOther(), OTHER_API_KEY: 'sk-wrong-key-for-other-000000' },
    });
    const result = await h.call('chat', { prompt: 'hi', model: 'other/gpt-4o' });
    expect(textOf(result)).toMatch(/other rejected the API key \(HTTP 401\)\. Check OTHER_API_KEY/);
    expect(textOf(result)).not.toContain('sk-wrong-key-for-other');
  });

  it('backs off by the configured base delay', async () => {
    h = await startHarness({ env: { COMETAPI_RETRY_BASE_DELAY_MS: '100', COMETAPI_RETRY_MAX_DELAY_MS: '150' } });
    h.sim.enqueueFault({ kind: 'status', status: 500 }, { times: 3 });
    await h.call('chat', { prompt: 'hi' });
    // random() is 0.5 in the harness: 0.5 × min(150, 100 × 2ⁿ).
    expect(h.sleeps).toEqual([50, 75, 75]);
  });
});

describe('the response size cap', () => {
  it('cuts off a chunked stream (no Content-Length) once it passes the cap', async () => {
    const paced = await startSimulatedUpstream({ latencyMs: 0, tokensPerSecond: 100_000 });
    try {
      const capped = cappedFetch(fetch, 2_000);
      const body = JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        max_tokens: 400,
        messages: [{ role: 'user', content: 'a long answer please' }],
      });
      const response = await capped(`${paced.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.headers.get('content-length')).toBeNull();
      await expect(response.text()).rejects.toBeInstanceOf(ResponseTooLargeError);
      // Under the cap, the same stream arrives whole.
      const whole = await cappedFetch(fetch, 10_000_000)(`${paced.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(await whole.text()).toContain('[DONE]');
    } finally {
      await paced.close();
    }
  });
});

describe('list_models across providers', () => {
  it("lists the configured provider's models as provider/model beside the built-in ones, and skips a provider that is down", async () => {
    const down = writeConfig({
      providers: {
        other: { base_url: other.baseUrl, api_key_env: 'OTHER_API_KEY' },
        gone: { base_url: 'http://127.0.0.1:9/v1' },
      },
    });
    h = await startHarness({ env: { COMETAPI_MCP_CONFIG: down, OTHER_API_KEY: OTHER_KEY } });
    const result = await h.call('list_models', { filter: 'gpt-4o-mini' });
    expect(result.isError).toBeFalsy();
    const models = (result.structuredContent as { models: { id: string; provider: string }[] }).models;
    expect(models).toEqual([
      expect.objectContaining({ id: 'gpt-4o-mini', provider: 'cometapi' }),
      expect.objectContaining({ id: 'other/gpt-4o-mini', provider: 'other' }),
    ]);
    // The listed id routes: calling it reaches the other provider.
    expect((await h.call('chat', { prompt: 'hi', model: 'other/gpt-4o-mini' })).isError).toBeFalsy();
    expect(other.responses.at(-1)?.model).toBe('gpt-4o-mini');
  });
});
