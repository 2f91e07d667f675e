/**
 * What the metering path adds to a call: the same streamed chat request to the same simulated
 * upstream (loopback, no latency), once as a bare `openai` call and once through
 * `metering.run` (routing, guard, retry wrapper, usage, pricing, a committed ledger row).
 * The two alternate call by call so drift (CPU frequency, GC, other load) hits both alike.
 *
 *   npx tsx bench/metering.ts [calls = 2000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { chatOperation } from '../src/mcp/tools/chat-call.js';
import { createRuntime } from '../src/runtime.js';
import { startSimulatedUpstream } from '../src/upstream/simulated.js';
import { markdownTable, quantile } from './table.js';

export interface MeteringBenchRow {
  [column: string]: string | number;
  path: string;
  calls: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  p50_vs_baseline: string;
}

export interface MeteringBenchOptions {
  calls?: number;
  warmup?: number;
  /** Stops early (with fewer calls measured) after this long. */
  timeBudgetMs?: number;
}

const KEY = 'sk-bench-0000000000000000000000000000';
const MODEL = 'gpt-4o-mini';

function summary(name: string, samples: number[], baselineP50: number): MeteringBenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = quantile(sorted, 0.5);
  return {
    path: name,
    calls: samples.length,
    p50_ms: p50,
    p99_ms: quantile(sorted, 0.99),
    mean_ms: samples.reduce((s, x) => s + x, 0) / samples.length,
    p50_vs_baseline: `${(p50 / baselineP50).toFixed(2)}×`,
  };
}

export async function benchMetering(options: MeteringBenchOptions = {}): Promise<MeteringBenchRow[]> {
  const calls = options.calls ?? 2000;
  const warmup = options.warmup ?? 200;
  const budget = options.timeBudgetMs ?? 120_000;
  const sim = await startSimulatedUpstream({ apiKey: KEY, latencyMs: 0, tokensPerSecond: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-metering-'));
  const config = loadConfig({
    COMETAPI_KEY: KEY,
    COMETAPI_BASE_URL: sim.baseUrl,
    COMETAPI_MCP_DB: path.join(dir, 'ledger.db'),
    COMETAPI_MCP_TZ: 'UTC',
  });
  const runtime = await createRuntime({ config, logger: createLogger({ level: 'error' }), provider: 'simulated' });
  const direct = new OpenAI({ apiKey: KEY, baseURL: sim.baseUrl, maxRetries: 0, logLevel: 'off' });
  const messages = [{ role: 'user' as const, content: 'How long does metering take?' }];

  async function bare(): Promise<number> {
    const started = performance.now();
    const stream = await direct.chat.completions.create({
      model: MODEL,
      messages,
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    if (!text) throw new Error('the simulated upstream sent no text');
    return performance.now() - started;
  }
  async function metered(): Promise<number> {
    const started = performance.now();
    await runtime.metering.run(
      { source: 'bench', client: 'bench', tool: 'chat' },
      chatOperation({ model: MODEL, messages, max_tokens: 16 }),
    );
    return performance.now() - started;
  }

  try {
    for (let i = 0; i < warmup; i++) {
      await bare();
      await metered();
    }
    const baseline: number[] = [];
    const through: number[] = [];
    const deadline = performance.now() + budget;
    for (let i = 0; i < calls && performance.now() < deadline; i++) {
      // Alternate which goes first, so neither always runs on a just-warmed connection.
      if (i % 2 === 0) {
        baseline.push(await bare());
        through.push(await metered());
      } else {
        through.push(await metered());
        baseline.push(await bare());
      }
    }
    const rows = await runtime.store.calls.count();
    if (rows !== warmup + through.length)
      throw new Error(`expected ${warmup + through.length} ledger rows, found ${rows}`);
    const base = quantile(
      [...baseline].sort((a, b) => a - b),
      0.5,
    );
    const sortedThrough = [...through].sort((a, b) => a - b);
    const sortedBase = [...baseline].sort((a, b) => a - b);
    return [
      summary('direct openai call (baseline)', baseline, base),
      summary('metering.run (chat tool operation)', through, base),
      {
        path: 'overhead (metered − baseline)',
        calls: through.length,
        p50_ms: quantile(sortedThrough, 0.5) - base,
        p99_ms: quantile(sortedThrough, 0.99) - quantile(sortedBase, 0.99),
        mean_ms:
          through.reduce((s, x) => s + x, 0) / through.length - baseline.reduce((s, x) => s + x, 0) / baseline.length,
        p50_vs_baseline: '',
      },
    ];
  } finally {
    await runtime.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const calls = Number(process.argv[2] ?? 2000);
  process.stdout.write(markdownTable(await benchMetering({ calls })));
}
