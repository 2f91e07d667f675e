import { crc32, inflateSync } from 'node:zlib';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulatedUpstream, startSimulatedUpstream } from '../src/upstream/simulated.js';
import type { RunningSimulatedUpstream } from '../src/upstream/simulated.js';

const KEY = 'sk-sim-test-key-0123456789';
let sim: RunningSimulatedUpstream;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulatedUpstream({ apiKey: KEY, latencyMs: 0, tokensPerSecond: 0 });
  client = new OpenAI({ apiKey: KEY, baseURL: sim.baseUrl, maxRetries: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const ask = (content: string, model = 'gpt-4o-mini') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
const authed = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cos = (a: readonly number[], b: readonly number[]) =>
  a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0) / (norm(a) * norm(b));

describe('chat completions', () => {
  it('answers deterministically with usage and a request id', async () => {
    const prompt = 'Hello there, how fast are you today?';
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: prompt },
        ],
      })
      .withResponse();
    const content = data.choices[0]?.message.content ?? '';
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-4o-mini');
    expect(response.headers.get('x-request-id')).toMatch(/^req_sim/);
    expect(content.startsWith(`Simulated reply from gpt-4o-mini to: ${prompt}`)).toBe(true);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    const words = content.split(' ').length;
    expect(words).toBeGreaterThanOrEqual(20);
    expect(words).toBeLessThanOrEqual(80);
    // ceil(chars/4) + 4 per message, + 3 priming
    const expectedPrompt = Math.ceil('Be brief.'.length / 4) + 4 + Math.ceil(prompt.length / 4) + 4 + 3;
    expect(data.usage).toMatchObject({
      prompt_tokens: expectedPrompt,
      completion_tokens: words,
      total_tokens: expectedPrompt + words,
    });
    const again = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: prompt },
      ],
    });
    expect(again.choices[0]?.message.content).toBe(content);
  });

  it('accepts content parts and caps at max_tokens / max_completion_tokens', async () => {
    const parts = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'parts work' }] }],
    });
    expect(parts.choices[0]?.message.content).toMatch(/^Simulated reply from gpt-4o to: parts work/);
    const capped = await client.chat.completions.create({
      model: 'gpt-4o',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'cap me' }],
    });
    expect(capped.choices[0]?.message.content).toBe('Simulated reply from gpt-4o to:');
    expect(capped.choices[0]?.finish_reason).toBe('length');
    expect(capped.usage?.completion_tokens).toBe(5);
    const capped2 = await client.chat.completions.create({
      model: 'gpt-4o',
      max_completion_tokens: 3,
      messages: [{ role: 'user', content: 'cap me' }],
    });
    expect(capped2.usage?.completion_tokens).toBe(3);
  });

  it('streams chunks with usage at the end and [DONE], matching the non-stream answer', async () => {
    const messages = [{ role: 'user' as const, content: 'stream please' }];
    const whole = await client.chat.completions.create({ model: 'deepseek-v3', messages });
    const stream = await client.chat.completions.create({
      model: 'deepseek-v3',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((ch) => ch.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0]?.message.content);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBe(whole.usage?.total_tokens);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.length).toBe((whole.usage?.completion_tokens ?? 0) + 3);
    const raw = await fetch(`${sim.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: authed,
      body: JSON.stringify({ model: 'deepseek-v3', messages, stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await raw.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(body).not.toContain('"usage"');
    expect(sim.responses.at(-1)).toMatchObject({ stream: true, status: 200, usage: null });
  });

  it('applies latency before the first byte and paces tokens', async () => {
    const paced = await startSimulatedUpstream({ latencyMs: 40, tokensPerSecond: 500 });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: paced.baseUrl, maxRetries: 0 });
      const t0 = performance.now();
      const stream = await c.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'pace' }],
        stream: true,
      });
      let first = 0;
      let count = 0;
      for await (const chunk of stream) {
        if (first === 0) first = performance.now();
        if (chunk.choices[0]?.delta.content) count++;
      }
      const end = performance.now();
      expect(first - t0).toBeGreaterThanOrEqual(35);
      expect(end - first).toBeGreaterThanOrEqual(count * 2 * 0.8); // 500 tokens/s = 2 ms per token
    } finally {
      await paced.close();
    }
  });
});

describe('embeddings, images, audio, models', () => {
  it('returns deterministic unit vectors as float and as the default base64', async () => {
    const input = ['the cat sat on the mat', 'the cat sat on a mat', 'quantum chromodynamics lecture'];
    const float = await client.embeddings.create({ model: 'text-embedding-3-small', input, encoding_format: 'float' });
    const b64 = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    const [a, b, c] = float.data.map((d) => d.embedding);
    expect(a?.length).toBe(1536);
    expect(norm(a ?? [])).toBeCloseTo(1, 5);
    expect(b64.data.map((d) => d.embedding)).toEqual(float.data.map((d) => d.embedding));
    expect(cos(a ?? [], b ?? [])).toBeGreaterThan(cos(a ?? [], c ?? []));
    expect(float.usage).toEqual({ prompt_tokens: 6 + 5 + 8, total_tokens: 19 });
    const large = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x' });
    expect(large.data[0]?.embedding.length).toBe(3072);
    const short = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'the cat sat on the mat',
      dimensions: 256,
    });
    expect(short.data[0]?.embedding.length).toBe(256);
    expect(norm(short.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
    const tooMany = await caught(
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 4096 }),
    );
    expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('generates real PNGs as b64_json (gpt-image-1) and as fetchable urls (dall-e-3)', async () => {
    const img = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red fox', size: '1536x1024' });
    const png = Buffer.from(img.data?.[0]?.b64_json ?? '', 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([96, 64]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29))); // IHDR CRC, checked by zlib's own crc32
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    expect(inflateSync(png.subarray(41, 41 + idatLength)).length).toBe(64 * (1 + 96 * 3));
    expect(img.usage).toMatchObject({ input_tokens: 3, output_tokens: 1056, total_tokens: 1059 });

    const urls = await client.images.generate({ model: 'dall-e-3', prompt: 'a blue whale', n: 2 });
    expect(urls.data?.[0]?.revised_prompt).toContain('a blue whale');
    const [u1, u2] = (urls.data ?? []).map((d) => d.url ?? '');
    expect(u1?.startsWith(sim.baseUrl.replace(/\/v1$/, ''))).toBe(true);
    const res = await fetch(u1 ?? '');
    expect(res.headers.get('content-type')).toBe('image/png');
    const fetched = Buffer.from(await res.arrayBuffer());
    expect(fetched.readUInt32BE(16)).toBe(64);
    expect(Buffer.from(await (await fetch(u2 ?? '')).arrayBuffer()).equals(fetched)).toBe(false);
  });

  it('speaks WAV and transcribes uploads', async () => {
    const short = Buffer.from(
      await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' })).arrayBuffer(),
    );
    const long = Buffer.from(
      await (
        await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello '.repeat(10) })
      ).arrayBuffer(),
    );
    expect(short.toString('latin1', 0, 4) + short.toString('latin1', 8, 12)).toBe('RIFFWAVE');
    expect(short.readUInt32LE(40)).toBe(short.length - 44);
    expect(long.length).toBeGreaterThan(short.length);
    const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(short, 'a.wav') });
    expect(text.text).toBe(`Simulated transcription of ${short.length} bytes of audio.`);
  });

  it('lists models and rejects unknown or wrong-kind models, bad bodies and wrong keys', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toContain('claude-sonnet-4-20250514');
    expect(list.data).toHaveLength(14);
    expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'openai' });
    const unknown = await caught(ask('hi', 'gpt-5x'));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
      type: 'invalid_request_error',
    });
    expect(await caught(client.embeddings.create({ model: 'gpt-4o', input: 'x' }))).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    const bad = await caught(client.chat.completions.create({ model: 'gpt-4o', messages: [] }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String(bad)).toContain('messages');
    const notJson = await fetch(`${sim.baseUrl}/chat/completions`, { method: 'POST', headers: authed, body: '{oops' });
    expect(notJson.status).toBe(400);

    const wrongKey = 'sk-wrong-secret-987654';
    const denied = await caught(new OpenAI({ apiKey: wrongKey, baseURL: sim.baseUrl, maxRetries: 0 }).models.list());
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(denied).toMatchObject({ code: 'invalid_api_key' });
    const raw = await fetch(`${sim.baseUrl}/models`, { headers: { authorization: `Bearer ${wrongKey}` } });
    const body = await raw.text();
    expect(raw.status).toBe(401);
    expect(body).toContain('Incorrect API key provided.');
    expect(body).not.toContain(wrongKey);
  });
});

describe('faults', () => {
  it('status faults: 429 with Retry-After, then 500, each used once', async () => {
    sim.enqueueFault({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    sim.enqueueFault({ kind: 'status', status: 500 });
    const limited = await caught(ask('a'));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(limited instanceof OpenAI.APIError ? limited.headers?.get('retry-after') : null).toBe('7');
    expect(await caught(ask('b'))).toMatchObject({ status: 500, type: 'server_error' });
    expect((await ask('c')).choices).toHaveLength(1);
    expect(sim.responses.map((r) => [r.status, r.fault])).toEqual([
      [429, 'status'],
      [500, 'status'],
      [200, null],
    ]);
  });

  it('hang: the client times out, the sim keeps serving', async () => {
    sim.enqueueFault({ kind: 'hang' });
    const t0 = performance.now();
    const err = await caught(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { timeout: 300 }),
    );
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(sim.responses[0]).toMatchObject({ status: 0, fault: 'hang' });
    expect((await ask('after')).choices).toHaveLength(1);
  });

  it('reset: mid-stream after two chunks, or before any answer', async () => {
    sim.enqueueFault({ kind: 'reset' }, { times: 2 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const got: string[] = [];
    const err = await caught(
      (async () => {
        for await (const ch of stream) got.push(ch.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(got).toEqual(['', 'Simulated ']);
    expect(err).toBeInstanceOf(Error);
    expect(await caught(ask('x'))).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('malformed, no-usage and oversize answers', async () => {
    sim.enqueueFault({ kind: 'malformed' }, { times: 2 });
    expect(await caught(ask('x'))).toBeInstanceOf(Error);
    // logLevel 'off': the SDK would otherwise log the bad line to stderr before throwing
    const quiet = new OpenAI({ apiKey: KEY, baseURL: sim.baseUrl, maxRetries: 0, logLevel: 'off' });
    const bad = await quiet.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    expect(
      String(
        await caught(
          (async () => {
            for await (const _ of bad) {
              /* drain */
            }
          })(),
        ),
      ),
    ).toMatch(/JSON/);

    sim.enqueueFault({ kind: 'no-usage' }, { times: 2 });
    expect((await ask('x')).usage).toBeUndefined();
    const s = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const ch of s) chunks.push(ch);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.some((ch) => ch.usage)).toBe(false);
    expect(sim.responses.at(-1)).toMatchObject({ fault: 'no-usage', usage: null, status: 200 });

    sim.enqueueFault({ kind: 'oversize', bytes: 3_000_000 });
    sim.enqueueFault({ kind: 'oversize' }, { path: '/v1/embeddings' });
    const huge = await ask('x');
    expect(huge.choices[0]?.message.content?.length).toBeGreaterThan(2_999_000);
    const raw = await fetch(`${sim.baseUrl}/embeddings`, {
      method: 'POST',
      headers: authed,
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }),
    });
    expect(raw.status).toBe(200);
    expect(JSON.stringify(JSON.parse(await raw.text())).length).toBe(20 * 1024 * 1024);
  });

  it('scopes faults by model, times and path; /v1/models only when targeted', async () => {
    sim.enqueueFault({ kind: 'status', status: 503 }, { model: 'gpt-4o', times: 2 });
    sim.enqueueFault({ kind: 'status', status: 502 }, { path: '/v1/embeddings' });
    await client.models.list();
    expect((await ask('x', 'gpt-4o-mini')).model).toBe('gpt-4o-mini');
    expect(await caught(ask('x', 'gpt-4o'))).toMatchObject({ status: 503 });
    expect(await caught(ask('x', 'gpt-4o'))).toMatchObject({ status: 503 });
    expect((await ask('x', 'gpt-4o')).model).toBe('gpt-4o');
    expect(await caught(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))).toMatchObject({
      status: 502,
    });
    sim.enqueueFault({ kind: 'status', status: 500 }, { path: '/v1/models' });
    expect(await caught(client.models.list())).toMatchObject({ status: 500 });
  });
});

describe('bookkeeping and lifecycle', () => {
  it('counts requests and records responses', async () => {
    await client.models.list();
    await ask('count me', 'gemini-2.5-flash');
    await fetch(`${sim.baseUrl}/nope`, { headers: authed });
    expect(sim.requests).toBe(3);
    expect(sim.responses[0]).toEqual({
      path: '/v1/models',
      model: '',
      stream: false,
      status: 200,
      usage: null,
      fault: null,
    });
    expect(sim.responses[1]).toMatchObject({
      path: '/v1/chat/completions',
      model: 'gemini-2.5-flash',
      stream: false,
      status: 200,
      fault: null,
    });
    expect(sim.responses[1]?.usage?.total_tokens).toBeGreaterThan(20);
    expect(sim.responses[2]).toMatchObject({ path: '/v1/nope', status: 404 });
    sim.reset();
    expect([sim.requests, sim.responses.length]).toEqual([0, 0]);
  });

  it('errorRate injects 429/500/503 and keeps only the last 10,000 responses', async () => {
    const flaky = createSimulatedUpstream({ latencyMs: 0, errorRate: 1, random: () => 0 });
    const res = await flaky.app.request('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    for (let i = 0; i < 10_005; i++) await flaky.app.request('/v1/models');
    expect(flaky.requests).toBe(10_006);
    expect(flaky.responses).toHaveLength(10_000);
    expect(flaky.responses[0]?.path).toBe('/v1/models');
  });

  it('close() ends hanging requests', async () => {
    const own = await startSimulatedUpstream({ latencyMs: 0 });
    own.enqueueFault({ kind: 'hang' }, { path: '/v1/models' });
    const pending = fetch(`${own.baseUrl}/models/gpt-4o`).then(
      () => 'answered',
      () => 'failed',
    );
    while (own.requests === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await own.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });
});
