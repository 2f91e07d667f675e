import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRow } from '../src/ledger/calls.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const MODEL = 'gpt-5-mini';
/** gpt-5-mini's list prices in USD per million tokens (src/upstream/prices.json). */
const PRICE = { input: 0.25, cached: 0.025, output: 2 };
const cost = (row: CallRow) =>
  // USD per million tokens × tokens is micro-USD; × 1000 nano-USD, rounded once as prices.ts does.
  Math.round(
    1000 *
      ((row.prompt_tokens - row.cached_tokens) * PRICE.input +
        row.cached_tokens * PRICE.cached +
        row.completion_tokens * PRICE.output),
  );
const INSTRUCTIONS = 'You are Codex, a coding agent working in the user’s repository. '.repeat(20);

/** /v1/responses driven by the openai package's responses API, against the simulated upstream. */
describe('proxy: OpenAI Responses API', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ env: { COMETAPI_MAX_RETRIES: '1' } });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.sim.reset());

  const rows = async () => await allCalls(h.runtime.store);
  const lastRow = async (): Promise<CallRow> => {
    const row = (await rows()).at(-1);
    if (!row) throw new Error('no ledger row');
    return row;
  };

  it('meters a non-streamed response with its cached and reasoning tokens, attributed to Codex', async () => {
    const client = h.openai({ headers: { originator: 'codex_cli_rs' } });
    const ask = (input: string) => client.responses.create({ model: MODEL, instructions: INSTRUCTIONS, input });
    const first = await ask('Rename the variable x to count');
    expect(first.output_text.length).toBeGreaterThan(0);
    expect(first.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(await lastRow()).toMatchObject({ client: 'Codex', cached_tokens: 0 });

    const second = await ask('Now add a test for it');
    const upstream = h.sim.responses.at(-1)?.usage;
    expect(upstream?.cached_tokens).toBeGreaterThan(0);
    expect(second.usage?.input_tokens_details.cached_tokens).toBe(upstream?.cached_tokens);
    expect(await lastRow()).toMatchObject({
      source: 'proxy',
      client: 'Codex',
      tool: '/v1/responses',
      model_used: MODEL,
      stream: 0,
      status: 'ok',
      usage_estimated: 0,
      prompt_tokens: upstream?.prompt_tokens,
      completion_tokens: upstream?.completion_tokens,
      cached_tokens: upstream?.cached_tokens,
      reasoning_tokens: upstream?.reasoning_tokens,
    });
    expect((await lastRow()).cost_nano_usd).toBe(cost(await lastRow()));
  });

  it('forwards a stream event by event and records the usage of response.completed', async () => {
    const stream = await h.openai({ headers: { 'X-Client-Name': 'agents-sdk' } }).responses.create({
      model: MODEL,
      input: [{ role: 'user', content: 'Write a haiku about diffs' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.ResponseUsage | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response.usage;
    }
    expect(types[0]).toBe('response.created');
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(5);
    expect(types.at(-1)).toBe('response.completed');
    expect(text.length).toBeGreaterThan(0);
    const upstream = h.sim.responses.at(-1)?.usage;
    expect(completed?.output_tokens).toBe(upstream?.completion_tokens);
    expect(await lastRow()).toMatchObject({
      client: 'agents-sdk',
      stream: 1,
      status: 'ok',
      usage_estimated: 0,
      prompt_tokens: upstream?.prompt_tokens,
      completion_tokens: upstream?.completion_tokens,
      reasoning_tokens: upstream?.reasoning_tokens,
    });
    expect((await lastRow()).ttft_ms).not.toBeNull();
    expect((await lastRow()).cost_nano_usd).toBe(cost(await lastRow()));
  });

  it('passes GET and DELETE /v1/responses/{id} through without a ledger row', async () => {
    const client = h.openai();
    const created = await client.responses.create({ model: MODEL, input: 'Remember this' });
    const before = (await rows()).length;
    const fetched = await client.responses.retrieve(created.id);
    expect(fetched.output_text).toBe(created.output_text);
    await client.responses.delete(created.id);
    const gone = await client.responses.retrieve(created.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rows()).toHaveLength(before);
  });

  it('refuses a call over a hard quota once, in OpenAI’s error shape, at the SDK’s default retries', async () => {
    await h.capClient('codex-budget', 'quota-codex');
    const before = (await rows()).length;
    const client = new OpenAI({
      apiKey: 'anything',
      baseURL: `${h.url}/v1`,
      defaultHeaders: { 'x-client-name': 'quota-codex' },
    });
    const error = await client.responses.create({ model: MODEL, input: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiError.code).toBe('insufficient_quota');
    expect(apiError.message).toContain('codex-budget');
    expect((await rows()).slice(before)).toHaveLength(1);
    expect(await lastRow()).toMatchObject({ status: 'blocked', client: 'quota-codex', tool: '/v1/responses' });
    expect(h.sim.requests).toBe(0);
  });

  it('retries a 5xx before anything was sent, and records one row', async () => {
    h.sim.enqueueFault({ kind: 'status', status: 503 }, { path: '/v1/responses' });
    const before = (await rows()).length;
    const answer = await h.openai().responses.create({ model: MODEL, input: 'hello' });
    expect(answer.status).toBe('completed');
    expect((await rows()).slice(before)).toHaveLength(1);
    expect(await lastRow()).toMatchObject({ status: 'ok', retries: 1 });
  });

  it('records a stream reset after text was forwarded as final, with the text counted', async () => {
    h.sim.enqueueFault({ kind: 'reset' }, { path: '/v1/responses' });
    const before = (await rows()).length;
    const stream = await h.openai().responses.create({ model: MODEL, input: 'Describe the sea', stream: true });
    let text = '';
    let failure: OpenAI.Responses.ResponseErrorEvent | undefined;
    // The Responses API ends a failed stream with an `error` event, which the SDK hands over as one.
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'error') failure = event;
    }
    expect(failure?.code).toBe('connection_error');
    expect(text.length).toBeGreaterThan(0);
    expect(h.sim.requests).toBe(1);
    expect((await rows()).slice(before)).toHaveLength(1);
    expect(await lastRow()).toMatchObject({ status: 'error', stream: 1, retries: 0, usage_estimated: 1 });
    expect((await lastRow()).completion_tokens).toBeGreaterThan(0);
  });

  it('estimates and marks a stream whose events are malformed and carry no usage', async () => {
    h.sim.enqueueFault({ kind: 'malformed' }, { path: '/v1/responses' });
    const res = await fetch(`${h.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: 'Describe the sea', stream: true }),
    });
    const body = await res.text();
    expect(body).toContain('response.output_text.delta');
    expect(body).toContain('{not json');
    expect(await lastRow()).toMatchObject({ status: 'ok', stream: 1, usage_estimated: 1 });
    expect((await lastRow()).completion_tokens).toBeGreaterThan(0);
  });
});
