import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { TEST_KEY, tempDir } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';

/** The /v1 proxy driven by the real openai package, against the simulated upstream behind it. */
describe('OpenAI-compatible metering proxy', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ env: { COMETAPI_MAX_RETRIES: '1' } });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.sim.reset());

  const rows = () => allCalls(h.runtime.store);
  const lastRow = async () => {
    const all = await rows();
    return all[all.length - 1];
  };

  it('passes a non-streamed chat through and records the upstream usage exactly', async () => {
    const before = (await rows()).length;
    const answer = await h.openai({ headers: { 'X-Title': 'Cherry Studio' } }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the proxy' }],
    });
    expect(answer.choices[0]?.message.content).toBeTruthy();
    const upstream = h.sim.responses.at(-1);
    expect(upstream?.usage).not.toBeNull();
    expect(answer.usage?.prompt_tokens).toBe(upstream?.usage?.prompt_tokens);
    expect((await rows()).length).toBe(before + 1);
    expect(await lastRow()).toMatchObject({
      source: 'proxy',
      client: 'Cherry Studio',
      tool: '/v1/chat/completions',
      model_requested: 'gpt-4o-mini',
      model_used: 'gpt-4o-mini',
      stream: 0,
      status: 'ok',
      http_status: 200,
      usage_estimated: 0,
      prompt_tokens: upstream?.usage?.prompt_tokens,
      completion_tokens: upstream?.usage?.completion_tokens,
    });
    expect((await lastRow())?.cost_nano_usd).toBeGreaterThan(0);
  });

  it('streams a chat chunk by chunk, captures usage it asked for, and does not forward that extra chunk', async () => {
    const stream = await h.openai({ headers: { 'X-Client-Name': 'stream-test' } }).chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a short story about a lighthouse' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.choices.length).toBe(1); // the usage-only chunk (choices: []) was held back
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    const upstream = h.sim.responses.at(-1);
    expect(upstream).toMatchObject({ stream: true, status: 200 });
    expect(upstream?.usage).not.toBeNull(); // the proxy asked for usage on the client's behalf
    expect(await lastRow()).toMatchObject({
      source: 'proxy',
      client: 'stream-test',
      stream: 1,
      status: 'ok',
      usage_estimated: 0,
      prompt_tokens: upstream?.usage?.prompt_tokens,
      completion_tokens: upstream?.usage?.completion_tokens,
    });
    expect((await lastRow())?.ttft_ms).not.toBeNull();
  });

  it('forwards the usage chunk when the client asked for it itself', async () => {
    const stream = await h.openai().chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Count to five' }],
    });
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    const upstream = h.sim.responses.at(-1);
    expect(usage?.completion_tokens).toBe(upstream?.usage?.completion_tokens);
    expect(await lastRow()).toMatchObject({
      completion_tokens: upstream?.usage?.completion_tokens,
      model_used: 'gpt-4o',
    });
  });

  it('passes embeddings and images through with their usage and image count', async () => {
    const emb = await h
      .openai()
      .embeddings.create({ model: 'text-embedding-3-small', input: ['one text', 'another text'] });
    expect(emb.data).toHaveLength(2);
    expect(await lastRow()).toMatchObject({
      tool: '/v1/embeddings',
      prompt_tokens: h.sim.responses.at(-1)?.usage?.prompt_tokens,
      status: 'ok',
    });

    const img = await h
      .openai()
      .images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse at dusk', n: 2, size: '1024x1024' });
    expect(img.data).toHaveLength(2);
    expect(img.data?.[0]?.b64_json?.length).toBeGreaterThan(100);
    const upstream = h.sim.responses.at(-1);
    expect(await lastRow()).toMatchObject({
      tool: '/v1/images/generations',
      images: 2,
      prompt_tokens: upstream?.usage?.prompt_tokens,
      completion_tokens: upstream?.usage?.completion_tokens,
    });
  });

  it('lists models from the upstream', async () => {
    const page = await h.openai().models.list();
    expect(page.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  it('passes upstream 429 and 5xx through with their status and body, after its retries', async () => {
    h.sim.enqueueFault({ kind: 'status', status: 429, message: 'slow down (simulated)' }, { times: 2 });
    const error = await h
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as APIError).message).toContain('slow down (simulated)');
    expect(await lastRow()).toMatchObject({ status: 'error', http_status: 429, error_type: 'rate_limit', retries: 1 });

    h.sim.enqueueFault({ kind: 'status', status: 503 }, { times: 2 });
    const e503 = await h
      .openai()
      .embeddings.create({ model: 'text-embedding-3-small', input: 'x' })
      .catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(OpenAI.InternalServerError);
    expect((e503 as APIError).status).toBe(503);
    expect(await lastRow()).toMatchObject({ status: 'error', http_status: 503, tool: '/v1/embeddings' });
  });

  it('uses its own upstream key, never the one the client sent', async () => {
    await h
      .openai({ apiKey: 'sk-client-key-that-upstream-would-reject' })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect((await lastRow())?.status).toBe('ok');
    expect(h.logs.join('\n')).not.toContain(TEST_KEY);
  });

  it('refuses malformed and oversize bodies with a clear 4xx', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': type }, body });
    const bad = await post('{"model": "gpt-4o-mini", "messages": [');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const noModel = await post('{"messages": []}');
    expect(noModel.status).toBe(400);
    expect(await noModel.text()).toContain('model');
    const wrongType = await post('model=x', 'application/x-www-form-urlencoded');
    expect(wrongType.status).toBe(415);
    const big = await post(
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(17 * 1024 * 1024) }] }),
    );
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('larger than 16 MiB');
  });
});

describe('proxy: routed names and fallback chains from the config file', () => {
  let h: GatewayHarness;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('cometapi-mcp-proxy-routing-');
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ routes: { fast: 'gpt-4o-mini' }, fallbacks: { 'gpt-retired': ['gpt-4o'] } }),
    );
    h = await startGatewayHarness({ env: { COMETAPI_MCP_CONFIG: file } });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the routed model id upstream for a short name', async () => {
    const answer = await h
      .openai()
      .chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.model).toBe('gpt-4o-mini');
    expect(h.sim.responses.at(-1)).toMatchObject({ model: 'gpt-4o-mini', status: 200 });
    expect((await allCalls(h.runtime.store)).at(-1)).toMatchObject({
      model_requested: 'fast',
      model_used: 'gpt-4o-mini',
      status: 'ok',
    });
  });

  it('falls back to the next model before anything was streamed, asking for usage in the rewritten body', async () => {
    const stream = await h
      .openai()
      .chat.completions.create({ model: 'gpt-retired', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const [missing, served] = h.sim.responses.slice(-2);
    expect(missing).toMatchObject({ model: 'gpt-retired', status: 404 });
    expect(served).toMatchObject({ model: 'gpt-4o', status: 200, stream: true });
    expect(served?.usage).not.toBeNull();
    expect((await allCalls(h.runtime.store)).at(-1)).toMatchObject({
      model_requested: 'gpt-retired',
      model_used: 'gpt-4o',
      fallback_from: 'gpt-retired',
      status: 'ok',
      usage_estimated: 0,
      completion_tokens: served?.usage?.completion_tokens,
    });
  });
});
