/**
 * The JSON API's error bodies keep their English `error` text and add a stable `code` (and, for
 * quota input, a `code` and `field` per issue) that the dashboard translates.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { ledgerConfig, seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';

let temp: TempLedger;
let app: Hono;
beforeAll(() => {
  temp = tempLedger();
  app = createApp({ store: temp.store, config: ledgerConfig(temp), logger: silentLogger, mode: 'live' });
});
afterAll(() => temp.cleanup());

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function errorOf(path: string, init?: RequestInit) {
  const res = await app.request(path, init);
  return { status: res.status, body: (await res.json()) as { error: string; code: string; issues?: unknown[] } };
}

describe('API error codes', () => {
  it.each([
    ['/api/summary?rnage=7d', 400, 'bad_query', "unknown query parameter 'rnage'"],
    ['/api/calls?limit=0', 400, 'bad_query', 'limit: must be a whole number from 1 to 500'],
    ['/api/summary?range=24h&from=1', 400, 'bad_range', 'only allowed with range=custom'],
    ['/api/summary?range=custom&from=2000&to=1000', 400, 'bad_range', 'from: must be earlier than to'],
    ['/api/alerts?limit=9999', 400, 'bad_query', 'limit must be a whole number'],
    ['/api/nothing-here', 404, 'no_route', 'no route for GET /api/nothing-here'],
    ['/api/quotas/missing', 404, 'quota_not_found', "there is no quota named 'missing'"],
  ])('%s → %i %s, with the English message', async (path, status, code, text) => {
    const { status: got, body } = await errorOf(path);
    expect(got).toBe(status);
    expect(body.code).toBe(code);
    expect(body.error).toContain(text);
  });

  it('names each refused quota field with a code, and a conflict as quota_conflict', async () => {
    const bad = await errorOf('/api/quotas/bad', json('PUT', { metric: 'cost', period: 'year', limit: -1 }));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_quota');
    expect(bad.body.issues).toEqual([
      { field: 'period', code: 'invalid', message: expect.stringContaining('must be one of day, week, month') },
      { field: 'limit', code: 'invalid', message: 'must be greater than 0, e.g. 5' },
    ]);
    const missing = await errorOf('/api/quotas', json('POST', { name: 'new-one', metric: 'cost' }));
    expect(missing.body.issues).toContainEqual({
      field: 'limit',
      code: 'required',
      message: expect.stringContaining('is required for a new quota'),
    });
    expect((await errorOf('/api/quotas', json('POST', '{not json'))).body.issues).toEqual([
      { field: '', code: 'body_not_json', message: expect.stringContaining('the body must be JSON') },
    ]);
    expect((await errorOf('/api/quotas/a', json('PUT', { name: 'b' }))).body.issues).toEqual([
      { field: 'name', code: 'rename', message: expect.stringContaining('quotas cannot be renamed') },
    ]);
    const quota = { name: 'twice', metric: 'requests', period: 'day', limit: 5 };
    expect((await app.request('/api/quotas', json('POST', quota))).status).toBe(201);
    const again = await errorOf('/api/quotas', json('POST', quota));
    expect(again).toMatchObject({ status: 409, body: { code: 'quota_conflict' } });
  });

  it('sends each error group of /api/errors with the code of its explanation', async () => {
    await seedCalls(temp.store, [
      { ts: Date.now() - 60_000, status: 'error', error_type: 'rate_limit', http_status: 429 },
      { ts: Date.now() - 50_000, status: 'error', error_type: null, http_status: 502 },
      { ts: Date.now() - 40_000, status: 'blocked', error_type: 'quota_exceeded', http_status: null },
    ]);
    const res = await app.request('/api/errors?range=1h');
    const rows = ((await res.json()) as { rows: { hint_code: string; hint: string }[] }).rows;
    expect(rows.map((r) => r.hint_code).sort()).toEqual(['quota_exceeded', 'rate_limit', 'server_error']);
    expect(rows.find((r) => r.hint_code === 'rate_limit')?.hint).toContain('rate-limited you');
  });
});
