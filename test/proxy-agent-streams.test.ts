import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Responses and Messages streams over a paced upstream (40 tokens/s): events reach the client
 * while the call is still running, and a stream the client abandons is recorded with what it used.
 */
describe('proxy: Responses and Messages streams as they arrive', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ sim: { tokensPerSecond: 40 } });
  });
  afterAll(async () => h.close());
  const rows = async () => await allCalls(h.runtime.store);
  const anthropic = () => new Anthropic({ apiKey: 'x', baseURL: h.url, maxRetries: 0 });
  const prompt = 'Write a long essay about tides';

  it('forwards the first Messages text before the call has finished, then records it', async () => {
    const before = (await rows()).length;
    const stream = anthropic().messages.stream({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 400,
      messages: [{ role: 'user', content: prompt }],
    });
    let rowsAtFirstText = -1;
    stream.on('text', async () => {
      if (rowsAtFirstText < 0) rowsAtFirstText = (await rows()).length;
    });
    await stream.finalMessage();
    expect(rowsAtFirstText).toBe(before); // no row yet: the call was still streaming
    expect(await rows()).toHaveLength(before + 1);
    expect((await rows()).at(-1)).toMatchObject({ status: 'ok', usage_estimated: 0 });
  });

  it('records an abandoned Messages stream with the prompt it reported and the words it sent', async () => {
    const before = (await rows()).length;
    const stream = anthropic().messages.stream({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 400,
      messages: [{ role: 'user', content: prompt }],
    });
    let deltas = 0;
    stream.on('text', () => {
      if (++deltas === 3) stream.abort();
    });
    await stream.done().catch(() => undefined);
    await until(async () => (await rows()).length === before + 1);
    const upstream = h.sim.responses.at(-1);
    expect((await rows()).at(-1)).toMatchObject({
      tool: '/v1/messages',
      status: 'error',
      error_type: 'cancelled',
      usage_estimated: 1,
      // exact: message_start reported the prompt before the cut
      prompt_tokens: upstream?.usage?.prompt_tokens,
    });
    expect((await rows()).at(-1)?.completion_tokens).toBeGreaterThan(0);
    expect((await rows()).at(-1)?.completion_tokens).toBeLessThan(20);
    expect((await rows()).at(-1)?.cost_nano_usd).toBeGreaterThan(0);
  });

  it('records an abandoned Responses stream with what it used', async () => {
    const before = (await rows()).length;
    const controller = new AbortController();
    const stream = await new OpenAI({ apiKey: 'x', baseURL: `${h.url}/v1`, maxRetries: 0 }).responses.create(
      { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 400, stream: true },
      { signal: controller.signal },
    );
    let rowsAtFirstText = -1;
    let deltas = 0;
    for await (const event of stream) {
      if (event.type !== 'response.output_text.delta') continue;
      if (rowsAtFirstText < 0) rowsAtFirstText = (await rows()).length;
      if (++deltas === 3) controller.abort();
    }
    expect(rowsAtFirstText).toBe(before);
    await until(async () => (await rows()).length === before + 1);
    expect((await rows()).at(-1)).toMatchObject({
      tool: '/v1/responses',
      status: 'error',
      error_type: 'cancelled',
      usage_estimated: 1,
    });
    expect((await rows()).at(-1)?.prompt_tokens).toBeGreaterThan(0);
    expect((await rows()).at(-1)?.completion_tokens).toBeGreaterThan(0);
    expect((await rows()).at(-1)?.completion_tokens).toBeLessThan(20);
  });
});
