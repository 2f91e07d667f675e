/**
 * /api/prices through the whole sidecar app (its Host/Origin checks and token included), and the
 * call path pricing with a price another process stored, on both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerOptions, openStore } from '../src/ledger/open-store.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls, ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';

const ENGINES = ledgerEngines('prices API');
const TOKEN = 'a-token-of-at-least-16-chars';
const SINCE = '2025-01-01';

describe.each(ENGINES)('prices API on $name', (engine) => {
  let ledger: EngineLedger;
  const app = (env: Record<string, string> = {}) =>
    createApp({ store: ledger.store, config: ledgerConfig(ledger, env), logger: silentLogger, mode: 'live' });
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}, env = {}) =>
    app(env).request(`http://127.0.0.1:8790${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const costs = async () => (await allCalls(ledger.store)).map((r) => r.cost_nano_usd);

  beforeEach(async () => {
    ledger = await engine.open();
    // Two gpt-4o-mini calls of 10 + 20 tokens on 2025-01-15 (callRecord's day), one of them before SINCE.
    await seedCalls(ledger.store, [{}, { ts: Date.UTC(2024, 11, 31) }]);
  });
  afterEach(() => ledger.cleanup());

  it('previews without writing, then stores the price and reprices exactly', async () => {
    const body = { price: { input_per_mtok: 1, output_per_mtok: 2 }, reprice_since: SINCE };
    const preview = await send('POST', '/api/prices/preview', { model: 'gpt-4o-mini', ...body });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toEqual({
      model: 'gpt-4o-mini',
      repriced: { calls: 1, old_usd: 0.0001, new_usd: 0.00005, old_unpriced: 0, new_unpriced: 0 },
    });
    expect(await costs()).toEqual([100_000, 100_000]);

    const put = await send('PUT', '/api/prices/gpt-4o-mini', body);
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      price: { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: 0.075 },
      repriced: { calls: 1, new_usd: 0.00005 },
    });
    expect(await costs()).toEqual([10 * 1000 + 20 * 2000, 100_000]);
    const listed = (await (await app().request('http://127.0.0.1:8790/api/prices')).json()) as {
      models: { model: string; stored_at: string | null }[];
    };
    expect(listed.models.find((m) => m.model === 'gpt-4o-mini')?.stored_at).not.toBeNull();

    const removed = await send('DELETE', '/api/prices/gpt-4o-mini', { reprice_since: SINCE });
    expect(await removed.json()).toMatchObject({ repriced: { calls: 1, new_usd: 0.0000135 } });
    expect(await costs()).toEqual([10 * 150 + 20 * 600, 100_000]);
    expect((await send('DELETE', '/api/prices/gpt-4o-mini', {})).status).toBe(404);
  });

  it.each([
    [{ price: { input_per_mtok: -1 } }, 'bad_price', 'price.input_per_mtok must be a price in USD, zero or more'],
    [{ price: { input_per_mtok: 'cheap' } }, 'bad_price', 'price.input_per_mtok must be a price in USD'],
    [{ price: { per_token: 1 } }, 'bad_price', 'unknown price field "per_token"'],
    [{ price: {} }, 'bad_price', 'give at least one price'],
    [{ price: { input_per_mtok: 1 }, reprice_since: '2025-02-30' }, 'bad_date', 'reprice_since must be a date'],
    [{ price: { input_per_mtok: 1 }, extra: 1 }, 'unknown_field', 'unknown field "extra"'],
    ['{not json', 'body_not_json', 'the body must be JSON'],
  ])('refuses %j with 400 %s and changes nothing', async (body, code, message) => {
    const response = await send('PUT', '/api/prices/gpt-4o-mini', body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { code: string; error: string };
    expect(json.code).toBe(code);
    expect(json.error).toContain(message);
    expect(await ledger.store.prices.list()).toEqual([]);
    expect(await costs()).toEqual([100_000, 100_000]);
  });

  it('refuses an unknown model, another site, and a missing token', async () => {
    const body = { price: { input_per_mtok: 1 }, reprice_since: SINCE };
    const unknown = await send('PUT', '/api/prices/gpt-4o-mnii', body);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown_model');
    expect((await send('PUT', '/api/prices/gpt-4o-mini', body, { origin: 'https://evil.example' })).status).toBe(403);
    const env = { COMETAPI_MCP_TOKEN: TOKEN };
    expect((await send('PUT', '/api/prices/gpt-4o-mini', body, {}, env)).status).toBe(401);
    expect(await ledger.store.prices.list()).toEqual([]);
    expect(await costs()).toEqual([100_000, 100_000]);
    const signed = await send('PUT', '/api/prices/gpt-4o-mini', body, { authorization: `Bearer ${TOKEN}` }, env);
    expect(signed.status).toBe(200);
  });
});

describe.each(ENGINES)('the call path on $name', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ engine });
  });
  afterEach(() => h.close());

  it('prices the next call with a price another process stored', async () => {
    const chat = async () => {
      await h.call('chat', { prompt: 'price me', model: 'gpt-4o-mini', max_tokens: 20 });
      return (await allCalls(h.runtime.store)).at(-1);
    };
    const before = await chat();
    expect(before?.cost_nano_usd).toBe((before?.prompt_tokens ?? 0) * 150 + (before?.completion_tokens ?? 0) * 600);
    const other = await openStore(ledgerOptions(h.config));
    try {
      await other.prices.apply({ model: 'gpt-4o-mini', price: { input_per_mtok: 10, output_per_mtok: 20 }, now: 0 });
    } finally {
      await other.close();
    }
    const after = await chat();
    expect(after?.cost_nano_usd).toBe((after?.prompt_tokens ?? 0) * 10_000 + (after?.completion_tokens ?? 0) * 20_000);
  });
});
