import { Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const STREAMS = 1_000;
let h: GatewayHarness;
let pool: Pool;
beforeAll(async () => {
  h = await startGatewayHarness();
  pool = new Pool(h.url, { connections: STREAMS });
});
afterAll(async () => {
  await pool.close();
  await h.close();
});

/** Reads one streamed Messages call to its end; resolves to the text of its events. */
async function stream(i: number): Promise<string> {
  const res = await pool.request({
    path: '/v1/messages',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-client-name': 'load' },
    body: JSON.stringify({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 24,
      stream: true,
      messages: [{ role: 'user', content: `stream number ${i}` }],
    }),
  });
  let text = '';
  for await (const chunk of res.body) text += (chunk as Buffer).toString('utf8');
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return text;
}

it(`${STREAMS} concurrent /v1/messages streams: none lost, every one recorded with its usage`, async () => {
  const results = await Promise.allSettled(Array.from({ length: STREAMS }, (_, i) => stream(i)));
  const failed = results.filter((r) => r.status === 'rejected');
  expect(failed.map((r) => String(r.reason)).slice(0, 3)).toEqual([]);
  for (const r of results) if (r.status === 'fulfilled') expect(r.value).toContain('event: message_stop');
  const rows = (await allCalls(h.runtime.store)).filter((r) => r.client === 'load');
  expect(rows).toHaveLength(STREAMS);
  expect(rows.every((r) => r.status === 'ok' && r.stream === 1 && r.usage_estimated === 0)).toBe(true);
  expect(rows.every((r) => r.completion_tokens > 0 && r.completion_tokens <= 24)).toBe(true);
}, 60_000);
