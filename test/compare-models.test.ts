import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startHarness, tempDir, textOf, type Harness } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface ModelResult {
  model: string;
  ok: boolean;
  text: string | null;
  error: string | null;
  call_id: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  cost_usd: number | null;
  usage: { prompt_tokens: number; completion_tokens: number };
}

it('asks every model at once, one metered row each, and one failure spares the others', async () => {
  h = await startHarness({ sim: { latencyMs: 80 } });
  const models = ['gpt-4o-mini', 'gpt-5x', 'gemini-2.5-flash'];
  const result = await h.call('compare_models', { prompt: 'Name a comet.', models, max_tokens: 20 });
  expect(result.isError).toBeFalsy();
  const s = result.structuredContent as {
    results: ModelResult[];
    succeeded: number;
    failed: number;
    total_cost_usd: number;
  };
  expect(s.results.map((r) => [r.model, r.ok])).toEqual([
    ['gpt-4o-mini', true],
    ['gpt-5x', false],
    ['gemini-2.5-flash', true],
  ]);
  expect(s).toMatchObject({ succeeded: 2, failed: 1 });
  expect(s.results[1]?.error).toMatch(/model 'gpt-5x' is not offered/);

  const rows = await allCalls(h.runtime.store);
  expect(rows).toHaveLength(3);
  for (const r of s.results) {
    const row = rows.find((x) => x.id === r.call_id);
    expect(row).toMatchObject({
      tool: 'compare_models',
      model_requested: r.model,
      status: r.ok ? 'ok' : 'error',
      fallback_from: null,
    });
    if (r.ok)
      expect(r).toMatchObject({
        latency_ms: row?.duration_ms,
        ttft_ms: row?.ttft_ms,
        usage: { prompt_tokens: row?.prompt_tokens },
      });
  }
  expect(s.total_cost_usd).toBeCloseTo(rows.reduce((sum, r) => sum + (r.cost_nano_usd ?? 0), 0) / 1e9, 12);
  // Concurrent: every call started before any of them finished (each takes ≥ 80 ms upstream).
  const lastStart = Math.max(...rows.map((r) => r.ts));
  const firstEnd = Math.min(...rows.map((r) => r.ts + (r.duration_ms ?? 0)));
  expect(lastStart).toBeLessThan(firstEnd);

  // The table comes first, one line per model, then each answer.
  const lines = textOf(result).split('\n');
  expect(lines[0]).toMatch(/^\| model \| status \| latency \| TTFT \| tokens in\+out \| cost \|$/);
  expect(lines[2]).toMatch(/^\| gpt-4o-mini \| ok \| \d+ ms \| \d+ ms \| \d+\+\d+ \| \$/);
  expect(lines[3]).toMatch(/^\| gpt-5x \| failed \|/);
  expect(textOf(result)).toContain('### gemini-2.5-flash\n');
});

it("ignores the config file's fallback chains: a comparison answers with the model it names", async () => {
  const dir = tempDir('compare-');
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ fallbacks: { 'gpt-4o': ['gemini-2.5-flash'] } }));
  h = await startHarness({ env: { COMETAPI_MAX_RETRIES: '0', COMETAPI_MCP_CONFIG: file } });
  h.sim.enqueueFault({ kind: 'status', status: 503 }, { model: 'gpt-4o' });
  const result = await h.call('compare_models', { prompt: 'x', models: ['gpt-4o', 'deepseek-v3'] });
  const s = result.structuredContent as { results: ModelResult[] };
  expect(s.results.map((r) => r.ok)).toEqual([false, true]);
  expect(h.sim.responses.map((r) => r.model).sort()).toEqual(['deepseek-v3', 'gpt-4o']);
  fs.rmSync(dir, { recursive: true, force: true });
});

it('is an error only when every model failed, and still says why for each', async () => {
  h = await startHarness({ key: null });
  const result = await h.call('compare_models', { prompt: 'x', models: ['gpt-4o', 'gemini-2.5-flash'] });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain('COMETAPI_KEY is not set');
  expect(await h.runtime.store.calls.count()).toBe(0);
});

it.each([
  [{ prompt: 'x', models: ['gpt-4o'] }, 'at least 2'],
  [{ prompt: 'x', models: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, 'at most 6'],
  [{ prompt: 'x', models: ['gpt-4o', 'gpt-4o'] }, 'only once'],
])('rejects %j before calling anything', async (args, message) => {
  h = await startHarness();
  const result = await h.call('compare_models', args);
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain(message);
  expect(h.sim.requests).toBe(0);
});
