import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const TOKEN = 'local-token-0123456789abcdef';

/** A raw request, so Host and Origin can be set to what a browser under attack would send. */
function rawRequest(
  url: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('proxy: token, Host and Origin', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ env: { COMETAPI_MCP_TOKEN: TOKEN } });
  });
  afterAll(async () => h.close());
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('requires the local token as the bearer key when one is configured', async () => {
    const wrong = await h
      .openai({ apiKey: 'not-the-token' })
      .chat.completions.create(chat)
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((wrong as APIError).status).toBe(401);
    const ok = await h.openai({ apiKey: TOKEN }).chat.completions.create(chat);
    expect(ok.choices[0]?.message.content).toBeTruthy();
    // /mcp and /api are behind the same token
    for (const path of ['/mcp', '/api/summary']) expect((await rawRequest(h.url, path, {})).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const host = new URL(h.url).host;
    const rebound = await rawRequest(
      h.url,
      '/v1/chat/completions',
      { ...auth, host: 'evil.example.com' },
      JSON.stringify(chat),
    );
    expect(rebound.status).toBe(403);
    expect(rebound.text).toContain('DNS-rebinding');
    const crossSite = await rawRequest(
      h.url,
      '/v1/chat/completions',
      { ...auth, host, origin: 'https://evil.example.com' },
      JSON.stringify(chat),
    );
    expect(crossSite.status).toBe(403);
    const sandboxed = await rawRequest(
      h.url,
      '/v1/chat/completions',
      { ...auth, host, origin: 'null' },
      JSON.stringify(chat),
    );
    expect(sandboxed.status).toBe(403);
    // A desktop app's page (CherryStudio is Electron, loaded from file://) is not a web site.
    const electron = await rawRequest(
      h.url,
      '/v1/chat/completions',
      { ...auth, host, origin: 'file://' },
      JSON.stringify(chat),
    );
    expect(electron.status).toBe(200);
    // ...but only on the proxy: the dashboard's API still wants its own origin.
    expect((await rawRequest(h.url, '/api/summary', { ...auth, host, origin: 'file://' })).status).toBe(403);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('sends no permissive CORS headers', async () => {
    const res = await fetch(`${h.url}/v1/models`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('proxy: quotas, disconnects and audio', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ sim: { tokensPerSecond: 40 } });
  });
  afterAll(async () => h.close());
  const rows = () => allCalls(h.runtime.store);

  it('answers a request over a hard quota with an OpenAI-style 429 insufficient_quota and records it blocked', async () => {
    await h.capClient('no-proxy-chats', 'quota-test');
    const requestsBefore = h.sim.requests;
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-client-name': 'quota-test' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(body.error.message).toContain('no-proxy-chats');
    expect(res.headers.get('x-should-retry')).toBe('false'); // SDKs and Claude Code then do not retry
    expect(h.sim.requests).toBe(requestsBefore); // the upstream was never asked
    expect((await rows()).at(-1)).toMatchObject({ status: 'blocked', client: 'quota-test', source: 'proxy' });
  });

  it('records a stream the client abandoned midway', async () => {
    const before = (await rows()).length;
    const controller = new AbortController();
    const stream = await new OpenAI({ apiKey: 'x', baseURL: `${h.url}/v1`, maxRetries: 0 }).chat.completions.create(
      {
        model: 'gpt-4o-mini',
        stream: true,
        max_tokens: 400,
        messages: [{ role: 'user', content: 'Write a long essay about tides' }],
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The openai package ends the iteration quietly on abort.
    for await (const _chunk of stream) if (++chunks === 3) controller.abort();
    expect(chunks).toBeLessThan(10);
    await until(async () => (await rows()).length === before + 1);
    const row = (await rows()).at(-1);
    expect(row).toMatchObject({
      source: 'proxy',
      stream: 1,
      status: 'error',
      error_type: 'cancelled',
      retries: 0,
      usage_estimated: 1,
    });
    // charged what it used before the cut: the prompt and the words streamed so far (counted)
    expect(row?.prompt_tokens).toBeGreaterThan(0);
    expect(row?.completion_tokens).toBeGreaterThan(0);
    expect(row?.completion_tokens).toBeLessThan(20);
    expect(row?.cost_nano_usd).toBeGreaterThan(0);
  });

  it('passes speech and transcription through', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${h.url}/v1`, maxRetries: 0 });
    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from the proxy' });
    const wav = Buffer.from(await speech.arrayBuffer());
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect((await rows()).at(-1)).toMatchObject({ tool: '/v1/audio/speech', model_requested: 'tts-1', status: 'ok' });
    const text = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: new File([wav], 'hello.wav', { type: 'audio/wav' }),
    });
    expect(text.text).toContain('Simulated transcription');
    expect((await rows()).at(-1)).toMatchObject({
      tool: '/v1/audio/transcriptions',
      model_requested: 'whisper-1',
      status: 'ok',
    });
  });
});
