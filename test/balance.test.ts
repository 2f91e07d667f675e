/**
 * The balance against the simulated upstream over HTTP, on both engines: it falls by exactly what
 * was billed, faults of the query service become stored, readable errors (never a crash, never a
 * refused call), and the key shows up nowhere.
 */
import { describe, expect, it } from 'vitest';
import { refreshBalance } from '../src/balance/snapshot.js';
import { startHarness, TEST_KEY, type Harness, type HarnessOptions } from './helpers/harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { refreshDeps } from './helpers/balance.js';

async function withHarness(options: HarnessOptions, run: (h: Harness) => Promise<void>) {
  const h = await startHarness(options);
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

describe.each(ledgerEngines('balance'))('balance on $name', (engine) => {
  it('falls by exactly what the simulator billed, which is what the ledger metered', async () => {
    await withHarness({ engine, sim: { billing: { balanceUsd: 20 } } }, async (h) => {
      const before = await refreshBalance(refreshDeps(h));
      expect(before).toMatchObject({ error: null, balance_nano: 20_000_000_000, source: new URL(h.sim.queryUrl).host });
      for (const model of ['gpt-4o-mini', 'gpt-4o', 'deepseek-v3', 'gpt-4o'])
        expect((await h.call('chat', { prompt: `Tell me about ${model}`, model })).isError).toBeFalsy();
      expect((await h.call('create_embeddings', { input: ['comets', 'tails'] })).isError).toBeFalsy();
      const after = await refreshBalance(refreshDeps(h));
      const billed = h.sim.billing.chargedNano;
      expect(billed).toBeGreaterThan(0);
      expect(before.balance_nano! - after.balance_nano!).toBe(billed);
      expect(await h.runtime.store.balance.meteredSince('cometapi', 0)).toBe(billed);
      expect(after.requests).toBe(5);
      expect((await h.runtime.store.balance.latestGood())?.id).toBe(after.id);
    });
  });

  it('reads the named key: -1 is unlimited, a limited key shows what it has left', async () => {
    const env = { COMETAPI_KEY_NAME: 'cometapi-mcp' };
    await withHarness({ engine, env }, async (h) => {
      expect(await refreshBalance(refreshDeps(h))).toMatchObject({
        key_name: 'cometapi-mcp',
        key_remaining_nano: null,
      });
    });
    await withHarness({ engine, env, sim: { billing: { keyRemainingUsd: 2.5 } } }, async (h) => {
      expect(await refreshBalance(refreshDeps(h))).toMatchObject({ key_remaining_nano: 2_500_000_000 });
    });
  });
});

describe('query service faults: a stored, readable error; calls go on', () => {
  const faults: [string, HarnessOptions, (h: Harness) => void, RegExp][] = [
    [
      'unreachable',
      { env: { COMETAPI_QUERY_URL: 'http://127.0.0.1:9' } },
      () => undefined,
      /127\.0\.0\.1:9\): unreachable/,
    ],
    [
      'a refused key',
      { env: { COMETAPI_QUERY_KEY: 'sk-query-wrong-1234567890' } },
      () => undefined,
      /HTTP 401: the key was refused/,
    ],
    [
      'a server error',
      {},
      (h) => h.sim.enqueueFault({ kind: 'status', status: 503 }, { path: '/user/quota' }),
      /HTTP 503/,
    ],
    ['malformed JSON', {}, (h) => h.sim.enqueueFault({ kind: 'malformed' }, { path: '/user/quota' }), /not JSON/],
    ['a negative balance', { sim: { billing: { balanceUsd: -3 } } }, () => undefined, /negative balance \(-3\)/],
    [
      'a negative key quota',
      { env: { COMETAPI_KEY_NAME: 'cometapi-mcp' }, sim: { billing: { keyRemainingUsd: -2 } } },
      () => undefined,
      /negative remaining quota \(-2\) for key "cometapi-mcp"/,
    ],
    [
      'an unknown key name',
      { env: { COMETAPI_KEY_NAME: 'other' } },
      () => undefined,
      /no key named "other".*COMETAPI_KEY_NAME/,
    ],
  ];

  it.each(faults)('%s', async (_what, options, inject, message) => {
    await withHarness(options, async (h) => {
      inject(h);
      const snapshot = await refreshBalance(refreshDeps(h));
      expect(snapshot.error).toMatch(message);
      expect(snapshot.balance_nano).toBeNull();
      expect((await h.runtime.store.balance.latest())?.error).toBe(snapshot.error);
      // A failed refresh blocks nothing.
      expect((await h.call('chat', { prompt: 'still here?' })).isError).toBeFalsy();
      const everything = JSON.stringify([snapshot, await h.runtime.store.balance.history(0, 10), h.logs]);
      expect(everything).not.toContain(TEST_KEY);
      expect(everything).not.toContain('sk-query-wrong-1234567890');
      expect(everything).not.toContain('key=');
    });
  });
});
