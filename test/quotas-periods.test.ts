import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { usageSql } from '../src/ledger/sqlite/quota-usage.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { QuotaMetric } from '../src/quotas/schema.js';
import { SCOPE_KINDS } from '../src/quotas/schema.js';
import { forecastAmount } from '../src/quotas/state.js';
import { textOf } from './helpers/harness.js';
import { row, startQuotaHarness, type QuotaHarness } from './helpers/quota-harness.js';

let h: QuotaHarness;
afterEach(async () => {
  await h.close();
});

const at = (iso: string) => Date.parse(iso);
const chat = async (iso: string) => {
  h.clock.now = at(iso);
  return h.call('chat', { prompt: 'tick', max_tokens: 10 });
};
const refused = async (iso: string) => (await chat(iso)).isError === true;

describe('period edges in the quota zone', () => {
  it('a day in New York rolls over at New York midnight, not at UTC midnight', async () => {
    h = await startQuotaHarness({ timeZone: 'UTC' });
    // The zone is the quota's, so a UTC server still counts New York days.
    await h.quota({
      name: 'ny-day',
      metric: 'requests',
      period: 'day',
      limit: 2,
      hard: true,
      time_zone: 'America/New_York',
    });
    expect(await refused('2025-01-14T20:00:00Z')).toBe(false); // 15:00 on the 14th in New York
    // 23:59 on the 14th: same New York day, already 15 Jan in UTC
    expect(await refused('2025-01-15T04:59:00Z')).toBe(false);
    const last = await chat('2025-01-15T04:59:59.999Z');
    expect(last.isError).toBe(true);
    expect(textOf(last)).toContain('2 requests of 2 requests used today (America/New_York)');
    expect(textOf(last)).toContain('wait until 2025-01-15 00:00');
    expect(await refused('2025-01-15T05:00:00Z')).toBe(false); // New York midnight: a fresh day
    expect(h.sim.requests).toBe(3);
  });

  it('a day in Tokyo starts at 15:00 UTC the day before', async () => {
    h = await startQuotaHarness({ timeZone: 'Asia/Tokyo' });
    await h.quota({ name: 'tokyo-day', metric: 'requests', period: 'day', limit: 1, hard: true });
    expect(await refused('2025-06-01T14:59:00Z')).toBe(false); // 23:59 on 1 June in Tokyo
    expect(await refused('2025-06-01T14:59:59Z')).toBe(true);
    expect(await refused('2025-06-01T15:00:00Z')).toBe(false); // 00:00 on 2 June in Tokyo
    expect(await refused('2025-06-02T00:00:00Z')).toBe(true); // UTC midnight changes nothing
  });

  it('the short day when New York springs forward ends at 04:00 UTC', async () => {
    h = await startQuotaHarness({ timeZone: 'America/New_York' });
    await h.quota({ name: 'dst-day', metric: 'requests', period: 'day', limit: 1, hard: true });
    expect(await refused('2025-03-09T05:00:00Z')).toBe(false); // midnight EST
    expect(await refused('2025-03-10T03:59:59Z')).toBe(true); // 23:59:59 EDT, still 9 March
    expect(await refused('2025-03-10T04:00:00Z')).toBe(false);
  });

  it('a month ends at local midnight on its last day, leap years included', async () => {
    h = await startQuotaHarness({ timeZone: 'Asia/Tokyo' });
    await h.quota({ name: 'month', metric: 'requests', period: 'month', limit: 1, hard: true });
    expect(await refused('2024-02-01T00:00:00Z')).toBe(false); // 09:00 on 1 Feb in Tokyo
    const end = await chat('2024-02-29T14:59:59Z'); // 23:59:59 on 29 Feb
    expect(textOf(end)).toContain('used this month (Asia/Tokyo)');
    expect(textOf(end)).toContain('wait until 2024-03-01 00:00');
    expect(await refused('2024-02-29T15:00:00Z')).toBe(false); // 1 March in Tokyo
    expect(await refused('2024-03-31T14:59:59Z')).toBe(true);
    expect(await refused('2024-03-31T15:00:00Z')).toBe(false); // 1 April
  });

  it('a week starts on Monday in the zone', async () => {
    h = await startQuotaHarness({ timeZone: 'America/New_York' });
    await h.quota({ name: 'week', metric: 'requests', period: 'week', limit: 1, hard: true });
    expect(await refused('2025-06-02T04:00:00Z')).toBe(false); // Monday 00:00 EDT
    expect(await refused('2025-06-09T03:59:59Z')).toBe(true); // Sunday 23:59:59 EDT
    expect(await refused('2025-06-09T04:00:00Z')).toBe(false);
  });
});

describe('usage per scope and metric', () => {
  const NOW = at('2025-01-15T18:00:00Z');
  const seed = async () => {
    const rows = [
      row({
        ts: NOW - 1000,
        model_used: 'gpt-4o',
        model_requested: 'gpt-4o',
        prompt_tokens: 100,
        completion_tokens: 50,
        cost_nano_usd: 750_000,
      }),
      // Fell back from gpt-5x: it counts for the model that answered.
      row({
        ts: NOW - 2000,
        model_requested: 'gpt-5x',
        model_used: 'gpt-4o',
        fallback_from: 'gpt-5x',
        prompt_tokens: 10,
        completion_tokens: 5,
        cost_nano_usd: 75_000,
      }),
      // Failed before any model answered: counts for the model asked for, as a request.
      row({
        ts: NOW - 3000,
        model_requested: 'gpt-4o',
        model_used: null,
        status: 'error',
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_nano_usd: null,
      }),
      row({
        ts: NOW - 4000,
        tool: 'generate_image',
        model_requested: 'dall-e-3',
        model_used: 'dall-e-3',
        prompt_tokens: 0,
        completion_tokens: 0,
        images: 2,
        cost_nano_usd: 80_000_000,
        client: 'Cursor',
      }),
      row({
        ts: NOW - 5000,
        provider: 'openrouter',
        client: 'Cursor',
        prompt_tokens: 7,
        completion_tokens: 3,
        cost_nano_usd: null,
      }),
      // Refused calls use nothing and count for nothing.
      row({
        ts: NOW - 6000,
        model_requested: 'gpt-4o',
        model_used: null,
        status: 'blocked',
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_nano_usd: null,
      }),
      // Yesterday (UTC): outside the day.
      row({
        ts: at('2025-01-14T23:59:59Z'),
        model_used: 'gpt-4o',
        model_requested: 'gpt-4o',
        prompt_tokens: 1000,
        cost_nano_usd: 9999_000,
      }),
    ];
    for (const r of rows) await h.runtime.store.calls.record(r);
  };
  // scope → metric → expected used
  const expected: Record<string, Record<QuotaMetric, number>> = {
    global: { requests: 5, tokens: 175, cost: 0.080825, images: 2 },
    'model=gpt-4o': { requests: 3, tokens: 165, cost: 0.000825, images: 0 },
    'tool=generate_image': { requests: 1, tokens: 0, cost: 0.08, images: 2 },
    'client=Cursor': { requests: 2, tokens: 10, cost: 0.08, images: 2 },
    'provider=openrouter': { requests: 1, tokens: 10, cost: 0, images: 0 },
    'model=no-such-model': { requests: 0, tokens: 0, cost: 0, images: 0 },
  };

  it('sums each metric over each scope for the current period only', async () => {
    h = await startQuotaHarness({ timeZone: 'UTC', now: NOW });
    await seed();
    for (const [scope, metrics] of Object.entries(expected)) {
      for (const metric of Object.keys(metrics) as QuotaMetric[]) {
        await h.quota({ name: `${scope.replace(/[=]/g, '-')}-${metric}`, scope, metric, period: 'day', limit: 1000 });
      }
    }
    const states = await h.runtime.quotas.states(NOW);
    expect(states).toHaveLength(24);
    for (const s of states)
      expect([s.scope, s.metric, s.used]).toEqual([s.scope, s.metric, expected[s.scope]?.[s.metric]]);
  });

  it('keeps counting rows other processes write after the first full sum, and only those in the period', async () => {
    h = await startQuotaHarness({ timeZone: 'UTC', now: NOW });
    await seed();
    await h.quota({ name: 'gpt-4o-tokens', scope: 'model=gpt-4o', metric: 'tokens', period: 'day', limit: 1000 });
    await h.quota({ name: 'all-requests', metric: 'requests', period: 'day', limit: 1000 });
    expect((await h.runtime.quotas.states(NOW)).map((s) => s.used)).toEqual([5, 165]);
    // Another connection to the same file, as another stdio server would write it.
    const other = openSqliteStore({ file: h.runtime.store.location });
    await other.calls.record(row({ ts: NOW, model_used: 'gpt-4o', prompt_tokens: 1, completion_tokens: 2 }));
    await other.calls.record(
      row({ ts: NOW, model_used: 'gpt-4o', status: 'blocked', prompt_tokens: 0, completion_tokens: 0 }),
    );
    await other.calls.record(row({ ts: at('2025-01-16T00:00:00Z'), model_used: 'gpt-4o', prompt_tokens: 100 })); // tomorrow
    await other.close();
    expect((await h.runtime.quotas.states(NOW)).map((s) => s.used)).toEqual([6, 168]);
  });

  it('reads each scope through an index, and later only the new rows by id, never the whole table', async () => {
    h = await startQuotaHarness();
    for (const scope of SCOPE_KINDS) {
      for (const mode of ['full', 'since'] as const) {
        const params = {
          start: 0,
          end: 1,
          ...(scope === 'global' ? {} : { value: 'x' }),
          ...(mode === 'since' ? { after: 0 } : {}),
        };
        const raw = new Database(h.runtime.store.location, { readonly: true });
        const plan = raw
          .prepare<[typeof params], { detail: string }>(`EXPLAIN QUERY PLAN ${usageSql(scope, mode)}`)
          .all(params);
        raw.close();
        const scans = plan.map((p) => p.detail).filter((d) => /^(SCAN|SEARCH) calls/.test(d));
        expect(scans.length, scope).toBeGreaterThan(0);
        // "SEARCH calls" alone is MAX(id), answered from the end of the rowid b-tree.
        const expected =
          mode === 'full'
            ? /^SEARCH calls( USING (COVERING )?INDEX .*)?$/
            : /^SEARCH calls( USING INTEGER PRIMARY KEY \(rowid>\?\))?$/;
        for (const detail of scans) expect(detail, `${scope} ${mode}`).toMatch(expected);
      }
    }
  });
});

describe('forecast', () => {
  it('carries the average rate so far to the end of the period, damped in the first hour of a day', () => {
    const day = { start: 0, end: 86_400_000 };
    expect(forecastAmount(100, day, 43_200_000)).toBe(200); // half the day gone
    expect(forecastAmount(100, day, 86_400_000)).toBe(100);
    expect(forecastAmount(10, day, 60_000)).toBe(240); // one minute in: taken as one hour, not ×1440
  });
});
