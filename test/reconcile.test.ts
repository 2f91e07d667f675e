/**
 * Reconciliation against the simulated upstream's own bill, on both engines: drift is made on
 * purpose (a price skew on one model, outside traffic, a day left out of the report) and must be
 * flagged on exactly those days with the right cause.
 */
import { describe, expect, it } from 'vitest';
import { attributeGap } from '../src/balance/attribute.js';
import { reconcileDays } from '../src/balance/reconcile.js';
import { DEFAULT_SIM_MODELS, type SimBillingOptions } from '../src/upstream/simulated.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { ledgerEngines, type LedgerEngine } from './helpers/ledger-engines.js';
import { dayClock, reconcileDeps } from './helpers/balance.js';

/** Three days of chat: gpt-4o with gpt-4o-mini, gpt-4o-mini alone, then gpt-4o with deepseek-v3. */
const DAYS = [
  ['gpt-4o', 'gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini'],
  ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini'],
  ['gpt-4o', 'deepseek-v3', 'deepseek-v3'],
];

async function threeDays(
  engine: LedgerEngine,
  billing: Omit<SimBillingOptions, 'clock'>,
  run: (h: Harness, clock: ReturnType<typeof dayClock>) => Promise<void>,
) {
  const clock = dayClock('2026-11-20');
  const h = await startHarness({ engine, clock: clock.now, sim: { billing: { ...billing, clock: clock.now } } });
  try {
    for (const [i, models] of DAYS.entries()) {
      if (i > 0) clock.nextDay();
      for (const model of models)
        expect((await h.call('chat', { prompt: `Day ${i}: about ${model}`, model })).isError).toBeFalsy();
    }
    await run(h, clock);
  } finally {
    await h.close();
  }
}

describe.each(ledgerEngines('reconciliation'))('reconciliation on $name', (engine) => {
  it('matches to the nano-dollar when CometAPI charges our prices', async () => {
    await threeDays(engine, {}, async (h, clock) => {
      const result = await reconcileDays(reconcileDeps(h, clock.now, 3), { store: false });
      expect(result.days.map((d) => d.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
      for (const day of result.days) {
        expect(day).toMatchObject({ flagged: false, cause: null, billed_nano: day.metered_nano });
        expect(day.billed_requests).toBe(day.metered_requests);
      }
      expect(result.days.map((d) => d.metered_requests)).toEqual([4, 3, 3]);
    });
  });

  it('a 10 % skew on gpt-4o: the days it ran are flagged as a stale price naming gpt-4o, the other is not', async () => {
    await threeDays(engine, { priceSkew: { 'gpt-4o': 1.1 } }, async (h, clock) => {
      const result = await reconcileDays(reconcileDeps(h, clock.now, 3), { store: true });
      const [first, second, third] = result.days;
      expect(first).toMatchObject({ flagged: true, cause: 'stale-price', models: ['gpt-4o'] });
      expect(second).toMatchObject({ flagged: false, cause: null, models: [] });
      expect(third).toMatchObject({ flagged: true, cause: 'stale-price', models: ['gpt-4o'] });
      expect(result.suspects.map((s) => s.model)).toEqual(['gpt-4o']);
      expect(result.suspects[0]?.impliedChange).toBeCloseTo(0.1, 2);
      // Stored: the latest run reads back as computed, and history keeps each run.
      expect(await h.runtime.store.balance.latestReconciliation()).toEqual(result.days);
      await reconcileDays(reconcileDeps(h, clock.now, 3), { store: true });
      expect(await h.runtime.store.balance.reconciliationHistory('2026-11-20', 100)).toHaveLength(6);
    });
  });

  it('outside traffic: the request counts differ, and that is the cause named', async () => {
    await threeDays(engine, { outsideShare: 0.5 }, async (h, clock) => {
      const result = await reconcileDays(reconcileDeps(h, clock.now, 3), { store: false });
      for (const day of result.days) {
        expect(day).toMatchObject({ flagged: true, cause: 'outside-traffic' });
        expect(day.billed_requests).toBeGreaterThan(day.metered_requests);
      }
      expect(result.days.reduce((n, d) => n + (d.billed_requests ?? 0) - d.metered_requests, 0)).toBe(
        h.sim.billing.outsideRequests,
      );
    });
  });

  it('a model with no price: the counts match, the money does not, and the unpriced model is named', async () => {
    const models = [...DEFAULT_SIM_MODELS, { id: 'house-model-1', kind: 'chat' as const }];
    const h = await startHarness({ engine, sim: { models } });
    try {
      for (const model of ['gpt-4o-mini', 'house-model-1']) await h.call('chat', { prompt: 'hi', model });
      const [today] = (await reconcileDays(reconcileDeps(h, Date.now, 1), { store: false })).days;
      expect(today).toMatchObject({ flagged: true, cause: 'unpriced-models', models: ['house-model-1'], unpriced: 1 });
      expect(today?.billed_requests).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('a day missing from the report is flagged as missing, not as zero', async () => {
    await threeDays(engine, { omitDays: ['2026-11-21'] }, async (h, clock) => {
      const [, second] = (await reconcileDays(reconcileDeps(h, clock.now, 3), { store: false })).days;
      expect(second).toMatchObject({ flagged: true, cause: 'missing-day', billed_nano: null, billed_requests: null });
    });
  });
});

describe('attributing a gap on one day', () => {
  it('names the model a plausible price change explains, not every model that fits', () => {
    const byModel = new Map([
      ['gpt-image-1', 168_000],
      ['claude-sonnet-4-5-20250929', 4_001],
      ['gpt-4o-mini', 100],
    ]);
    const suspects = attributeGap([{ gapNano: 16_800, byModel }]);
    expect(suspects.map((s) => s.model)).toEqual(['gpt-image-1']);
    expect(suspects[0]?.impliedChange).toBeCloseTo(0.1, 6);
  });

  it('names nothing when there is no gap', () => {
    expect(attributeGap([{ gapNano: 0, byModel: new Map([['gpt-4o', 500]]) }])).toEqual([]);
  });
});
