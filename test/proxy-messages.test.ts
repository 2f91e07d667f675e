import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRow } from '../src/ledger/calls.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const TOKEN = 'local-token-messages-0123456789';
const MODEL = 'claude-sonnet-4-5-20250929';
const CLAUDE_CODE_UA = 'claude-cli/2.0.14 (external, cli)';

/** claude-sonnet-4-5's list prices in USD per million tokens (src/upstream/prices.json). */
const SONNET = { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 };
const sonnetCost = (row: CallRow) =>
  // USD per million tokens × tokens is micro-USD; × 1000 nano-USD, rounded once as prices.ts does.
  Math.round(
    1000 *
      ((row.prompt_tokens - row.cached_tokens - row.cache_write_tokens) * SONNET.input +
        row.cache_write_tokens * SONNET.cacheWrite +
        row.cached_tokens * SONNET.cacheRead +
        row.completion_tokens * SONNET.output),
  );

/** /v1/messages driven by the official @anthropic-ai/sdk, against the simulated upstream behind the proxy. */
describe('proxy: Anthropic Messages API', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ env: { COMETAPI_MAX_RETRIES: '1', COMETAPI_MCP_TOKEN: TOKEN } });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.sim.reset());

  const rows = async () => await allCalls(h.runtime.store);
  const lastRow = async (): Promise<CallRow> => {
    const row = (await rows()).at(-1);
    if (!row) throw new Error('no ledger row');
    return row;
  };
  const anthropic = (options: { headers?: Record<string, string>; maxRetries?: number; apiKey?: string } = {}) =>
    new Anthropic({
      apiKey: options.apiKey ?? TOKEN,
      baseURL: h.url,
      maxRetries: options.maxRetries ?? 0,
      defaultHeaders: options.headers,
    });
  // A long system prompt marked for caching, as Claude Code sends its own.
  const system = [
    {
      type: 'text' as const,
      text: 'You are a careful coding agent. '.repeat(40),
      cache_control: { type: 'ephemeral' as const },
    },
  ];

  it('meters a non-streamed call: cache writes, then cache reads, each priced at its own rate', async () => {
    const client = anthropic({ headers: { 'user-agent': CLAUDE_CODE_UA } });
    const ask = (content: string) =>
      client.messages.create({ model: MODEL, max_tokens: 256, system, messages: [{ role: 'user', content }] });

    const first = await ask('List three sorting algorithms');
    expect(first.content[0]?.type).toBe('text');
    const written = h.sim.responses.at(-1)?.usage;
    expect(written?.cache_write_tokens).toBeGreaterThan(0);
    expect(first.usage.cache_creation_input_tokens).toBe(written?.cache_write_tokens);
    expect(await lastRow()).toMatchObject({
      source: 'proxy',
      client: 'Claude Code',
      tool: '/v1/messages',
      model_used: MODEL,
      stream: 0,
      status: 'ok',
      usage_estimated: 0,
      prompt_tokens: written?.prompt_tokens,
      completion_tokens: written?.completion_tokens,
      cache_write_tokens: written?.cache_write_tokens,
      cached_tokens: 0,
    });
    expect((await lastRow()).cost_nano_usd).toBe(sonnetCost(await lastRow()));

    await ask('Now explain the fastest one');
    const read = h.sim.responses.at(-1)?.usage;
    expect(read?.cached_tokens).toBe(written?.cache_write_tokens);
    expect(await lastRow()).toMatchObject({
      prompt_tokens: read?.prompt_tokens,
      cached_tokens: read?.cached_tokens,
      cache_write_tokens: 0,
      completion_tokens: read?.completion_tokens,
    });
    expect((await lastRow()).cost_nano_usd).toBe(sonnetCost(await lastRow()));
  });

  it('forwards a stream event by event and records the usage of message_start and message_delta', async () => {
    const stream = anthropic({ apiKey: 'unused', headers: { authorization: `Bearer ${TOKEN}` } }).messages.stream({
      model: MODEL,
      max_tokens: 300,
      system,
      messages: [{ role: 'user', content: 'Tell me about lighthouses' }],
    });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const message = await stream.finalMessage();
    expect(deltas).toBeGreaterThan(5);
    const upstream = h.sim.responses.at(-1);
    expect(upstream).toMatchObject({ path: '/v1/messages', stream: true, status: 200 });
    expect(message.usage.output_tokens).toBe(upstream?.usage?.completion_tokens);
    expect(await lastRow()).toMatchObject({
      stream: 1,
      status: 'ok',
      usage_estimated: 0,
      prompt_tokens: upstream?.usage?.prompt_tokens,
      completion_tokens: upstream?.usage?.completion_tokens,
      cached_tokens: upstream?.usage?.cached_tokens,
      cache_write_tokens: upstream?.usage?.cache_write_tokens,
    });
    expect((await lastRow()).ttft_ms).not.toBeNull();
    expect((await lastRow()).cost_nano_usd).toBe(sonnetCost(await lastRow()));
  });

  it('refuses a call over a hard quota once, in Anthropic’s error shape, without inviting retries', async () => {
    await h.capClient('claude-budget', 'quota-claude');
    const before = (await rows()).length;
    // The SDK's default retry policy (2 retries) is in force: x-should-retry: false must stop it.
    const client = new Anthropic({
      apiKey: TOKEN,
      baseURL: h.url,
      defaultHeaders: { 'x-client-name': 'quota-claude' },
    });
    const error = await client.messages
      .create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(apiError.headers.get('x-should-retry')).toBe('false');
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(apiError.message).toContain('claude-budget');
    expect((await rows()).slice(before)).toHaveLength(1);
    expect(await lastRow()).toMatchObject({ status: 'blocked', client: 'quota-claude', tool: '/v1/messages' });
    expect(h.sim.requests).toBe(0);
  });

  it('passes the upstream’s Anthropic-shaped errors on after its retries, and refuses a wrong token', async () => {
    h.sim.enqueueFault({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { times: 2, path: '/v1/messages' });
    const limited = await anthropic()
      .messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    });
    expect(await lastRow()).toMatchObject({ status: 'error', http_status: 429, error_type: 'rate_limit', retries: 1 });

    const unknown = await anthropic()
      .messages.create({ model: 'claude-nonexistent', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(await lastRow()).toMatchObject({
      status: 'error',
      error_type: 'model_not_found',
      model_requested: 'claude-nonexistent',
    });

    const denied = await anthropic({ apiKey: 'wrong-token' })
      .messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('records a stream reset after text was forwarded as final, with the prompt it reported and the text counted', async () => {
    h.sim.enqueueFault({ kind: 'reset' }, { path: '/v1/messages' });
    const before = (await rows()).length;
    const stream = anthropic().messages.stream({
      model: MODEL,
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Describe the sea' }],
    });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(text.length).toBeGreaterThan(0);
    expect(h.sim.requests).toBe(1); // not retried: part of the answer had been forwarded
    expect((await rows()).slice(before)).toHaveLength(1);
    expect(await lastRow()).toMatchObject({ status: 'error', stream: 1, retries: 0, usage_estimated: 1 });
    expect((await lastRow()).prompt_tokens).toBeGreaterThan(0);
    expect((await lastRow()).completion_tokens).toBeGreaterThan(0);
  });

  it('estimates and marks a call whose upstream reported no usage', async () => {
    h.sim.enqueueFault({ kind: 'no-usage' }, { path: '/v1/messages' });
    const message = await anthropic().messages.create({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say something short' }],
    });
    expect(message.content[0]?.type).toBe('text');
    expect(await lastRow()).toMatchObject({ status: 'ok', usage_estimated: 1 });
    expect((await lastRow()).prompt_tokens).toBeGreaterThan(0);
    expect((await lastRow()).completion_tokens).toBeGreaterThan(0);
  });

  it('passes count_tokens through without a ledger row', async () => {
    const before = (await rows()).length;
    const counted = await anthropic().messages.countTokens({
      model: MODEL,
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(await rows()).toHaveLength(before);
  });
});
