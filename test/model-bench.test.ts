import { afterEach, describe, expect, it } from 'vitest';
import { runModelBench } from '../src/model-bench/run.js';
import { sampleStats, withoutOutliers } from '../src/model-bench/stats.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';

describe('the seed article statistics', () => {
  it('drops samples beyond 2σ, then takes nearest-rank median and p95', () => {
    const samples = [...Array.from({ length: 29 }, (_, i) => 100 + i), 5000];
    expect(withoutOutliers(samples)).not.toContain(5000);
    expect(sampleStats(samples)).toEqual({ n: 30, kept: 29, median: 114, p95: 127 });
  });

  it('keeps everything when the samples do not vary', () => {
    expect(sampleStats([7, 7, 7])).toEqual({ n: 3, kept: 3, median: 7, p95: 7 });
    expect(sampleStats([])).toEqual({ n: 0, kept: 0, median: null, p95: null });
  });
});

describe('runModelBench', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('makes 30 metered streamed runs per model, recorded with source bench, and reports failures without falling back', async () => {
    h = await startHarness({ sim: { latencyMs: 2, tokensPerSecond: 2000 } });
    const results = await runModelBench(h.runtime.metering, {
      models: ['gpt-4o-mini', 'no-such-model'],
      runs: 30,
      prompt: 'time me',
      maxTokens: 20,
    });
    const [good, bad] = results;
    expect(good).toMatchObject({ model: 'gpt-4o-mini', runs: 30, ok: 30, errors: 0 });
    expect(good?.ttft_ms.n).toBe(30);
    expect(good?.tokens_per_s.median).toBeGreaterThan(0);
    expect(bad).toMatchObject({ model: 'no-such-model', ok: 0, errors: 30 });
    expect(bad?.last_error).toContain("model 'no-such-model' is not offered");
    const rows = await allCalls(h.runtime.store);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['bench']));
    expect(rows.filter((r) => r.status === 'ok' && r.model_used === 'gpt-4o-mini')).toHaveLength(30);
    expect(rows.some((r) => r.fallback_from !== null)).toBe(false);
    const cost = rows.reduce((sum, r) => sum + (r.cost_nano_usd ?? 0), 0) / 1e9;
    expect(good?.cost_usd).toBeCloseTo(cost, 9);
  });
});
