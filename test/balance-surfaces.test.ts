/**
 * Where the balance and reconciliation show: /api/balance, /api/reconcile, /metrics, get_usage and
 * the CLI commands, all over a harness ledger and the simulated upstream's query service over
 * HTTP. The key appears in none of what they answer, print or store.
 */
import { usdFromNano } from '../src/ledger/calls.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBalanceCommand } from '../src/commands/balance.js';
import { runReconcileCommand } from '../src/commands/reconcile.js';
import { createApp } from '../src/sidecar/app.js';
import { startHarness, textOf, TEST_KEY, type Harness } from './helpers/harness.js';

let h: Harness;
let seen: string[];
const app = () => createApp({ store: h.runtime.store, config: h.config, logger: h.runtime.logger, mode: 'live' });
const request = async (path: string, init?: RequestInit) => {
  const response = await app().request(path, init);
  const text = await response.text();
  seen.push(text);
  return { status: response.status, text };
};
const cli = async (run: (write: (text: string) => void) => Promise<void>) => {
  let out = '';
  await run((text) => void (out += text));
  seen.push(out);
  return out;
};

beforeEach(async () => {
  h = await startHarness({ sim: { billing: { balanceUsd: 42 } } });
  seen = [];
});
afterEach(async () => {
  // Every answer, printout, stored row and log line of the test: never the key, never the query URL.
  const rows = await h.runtime.store.balance.history(0, 100);
  const everything = [
    ...seen,
    JSON.stringify(rows),
    JSON.stringify(await h.runtime.store.balance.latestReconciliation()),
    ...h.logs,
  ].join('\n');
  expect(everything).not.toContain(TEST_KEY);
  expect(everything).not.toContain('key=');
  await h.close();
});

describe('balance over the sidecar', () => {
  it('is "not read yet" until a refresh, then shows in /api/balance and /metrics', async () => {
    expect(JSON.parse((await request('/api/balance')).text)).toMatchObject({
      balance_usd: null,
      error: null,
      rules: [],
    });
    expect((await request('/metrics')).text).not.toMatch(/^cometapi_balance_usd\{/m);
    await h.call('chat', { prompt: 'spend', model: 'gpt-4o' });
    const refreshed = JSON.parse((await request('/api/balance/refresh', { method: 'POST' })).text);
    const balance = usdFromNano(42e9 - h.sim.billing.chargedNano);
    expect(refreshed).toMatchObject({ balance_usd: balance, requests: 1, source: new URL(h.sim.queryUrl).host });
    const source = new URL(h.sim.queryUrl).host;
    expect((await request('/metrics')).text).toContain(`\ncometapi_balance_usd{source="${source}"} ${balance}\n`);
  });

  it('sets and removes low-balance rules like the CLI, refusing bad input', async () => {
    const put = (name: string, body: unknown) =>
      request(`/api/balance/rules/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(JSON.parse((await put('low-balance', { below_usd: 5 })).text).rules).toEqual([
      { name: 'low-balance', below_usd: 5, armed: true },
    ]);
    const refused = await put('low-balance', { below_usd: -1 });
    expect([refused.status, JSON.parse(refused.text).code]).toEqual([400, 'invalid_balance_rule']);
    expect((await put('bad name!', { below_usd: 1 })).status).toBe(400);
    expect((await request('/api/balance/rules/low-balance', { method: 'DELETE' })).status).toBe(200);
    expect((await request('/api/balance/rules/low-balance', { method: 'DELETE' })).status).toBe(404);
    expect(await h.runtime.store.balance.rules()).toEqual([]);
  });

  it('reconciles on POST, refuses a bad range, and answers 502 naming only the host when CometAPI fails', async () => {
    await h.call('chat', { prompt: 'one call' });
    const ran = JSON.parse((await request('/api/reconcile?since=2d', { method: 'POST' })).text);
    expect(ran.days).toHaveLength(2);
    expect(ran.days.at(-1)).toMatchObject({ billed_requests: 1, metered_requests: 1, flagged: false });
    expect(JSON.parse((await request('/api/reconcile')).text).days).toEqual(ran.days);
    expect((await request('/api/reconcile?since=500d', { method: 'POST' })).status).toBe(400);
    h.sim.enqueueFault({ kind: 'status', status: 500 }, { path: '/user/quota' });
    const failed = await request('/api/reconcile', { method: 'POST' });
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.text)).toEqual({
      error: `CometAPI query service (${new URL(h.sim.queryUrl).host}): HTTP 500`,
      code: 'query_failed',
    });
  });
});

describe('balance in get_usage and the CLI', () => {
  it('get_usage reports the stored balance in text and structured content', async () => {
    await cli((write) => runBalanceCommand(['--refresh'], h.config, write));
    const result = await h.call('get_usage', {});
    seen.push(JSON.stringify(result));
    expect((result.structuredContent as { balance: unknown }).balance).toMatchObject({ balance_usd: 42, error: null });
    expect(textOf(result)).toMatch(/CometAPI balance: \$42\.00 {2}\(as of 20\d\d-/);
  });

  it('balance alert set/list/rm, balance --json, and reconcile print what they stored', async () => {
    expect(await cli((w) => runBalanceCommand(['alert', 'set', 'low-balance', '--below', '5'], h.config, w))).toBe(
      'balance alert "low-balance": alerts once each time the balance falls below $5.00\n',
    );
    await expect(runBalanceCommand(['alert', 'set', 'x', '--below', '0'], h.config, () => undefined)).rejects.toThrow(
      /below must be an amount of USD above 0, e.g. 5 \(got "0"\)/,
    );
    const json = JSON.parse(await cli((w) => runBalanceCommand(['--refresh', '--json'], h.config, w)));
    expect(json).toMatchObject({
      balance_usd: 42,
      rules: [{ name: 'low-balance', below_nano: 5_000_000_000, armed: true }],
    });
    expect(await cli((w) => runBalanceCommand([], h.config, w))).toContain('alert low-balance: below $5.00 (armed)');
    await h.call('chat', { prompt: 'counted' });
    const table = await cli((w) => runReconcileCommand(['--since', '1d'], h.config, w));
    expect(table).toMatch(/^Reconciliation with CometAPI's bill — whole account; billing days in UTC\n/);
    expect(table).toContain('Every day within 2 %.');
    expect(await cli((w) => runBalanceCommand(['alert', 'rm', 'low-balance'], h.config, w))).toBe(
      'removed balance alert "low-balance"\n',
    );
    await expect(runReconcileCommand(['--since', 'week'], h.config, () => undefined)).rejects.toThrow(
      /--since must be a number of days from 1d to 90d/,
    );
  });
});
