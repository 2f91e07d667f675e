/**
 * What the metering path adds to a call: the same streamed chat request to the same simulated
 * upstream (loopback, no latency), once as a bare `openai` call and once through
 * `metering.run` (routing, guard, retry wrapper, usage, pricing, a committed ledger row), and
 * once more as an MCP session's call: with its session id, counted by the loop guard, and checked
 * against a hard per-session quota (`--scope session`) before and after. The three alternate call
 * by call so drift (CPU frequency, GC, other load) hits all alike.
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
import { setQuota } from '../src/quotas/manage.js';
import { fingerprintOf } from '../src/sessions/loop-guard.js';
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
  // Eight sessions in turn; each call's arguments differ, so the guard counts and resets every time.
  let n = 0;
  async function inSession(): Promise<number> {
    const started = performance.now();
    const session = `bench-session-${n % 8}`;
    const args = { prompt: `${messages[0]?.content} #${n++}`, max_tokens: 16 };
    const loop = runtime.loopGuard.observe(session, 'chat', fingerprintOf(JSON.stringify(args)), Date.now());
    await runtime.metering.run(
      { source: 'bench', client: 'bench', tool: 'chat', session, loop },
      chatOperation({ model: MODEL, messages: [{ role: 'user', content: args.prompt }], max_tokens: 16 }),
    );
    return performance.now() - started;
  }
  await setQuota(
    runtime.store.quotas,
    { name: 'bench-per-session', scope: 'session', metric: 'requests', period: 'day', limit: 1e9, hard: true },
    { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
  );
  const paths = [bare, metered, inSession];

  try {
    for (let i = 0; i < warmup; i++) for (const run of paths) await run();
    const samples: number[][] = paths.map(() => []);
    const deadline = performance.now() + budget;
    for (let i = 0; i < calls && performance.now() < deadline; i++) {
      // Rotate which goes first, so none always runs on a just-warmed connection.
      for (let k = 0; k < paths.length; k++) {
        const at = (i + k) % paths.length;
        samples[at]?.push(await (paths[at] ?? bare)());
      }
    }
    const [baseline = [], through = [], sessions = []] = samples;
    const rows = await runtime.store.calls.count();
    const expected = 2 * (warmup + through.length);
    if (rows !== expected) throw new Error(`expected ${expected} ledger rows, found ${rows}`);
    const sortedBase = [...baseline].sort((a, b) => a - b);
    const base = quantile(sortedBase, 0.5);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const overhead = (name: string, measured: number[]): MeteringBenchRow => {
      const sorted = [...measured].sort((a, b) => a - b);
      return {
        path: name,
        calls: measured.length,
        p50_ms: quantile(sorted, 0.5) - base,
        p99_ms: quantile(sorted, 0.99) - quantile(sortedBase, 0.99),
        mean_ms: mean(measured) - mean(baseline),
        p50_vs_baseline: '',
      };
    };
    return [
      summary('direct openai call (baseline)', baseline, base),
      summary('metering.run (chat tool operation)', through, base),
      summary('metering.run in a session: loop guard + hard per-session quota', sessions, base),
      overhead('overhead (metered − baseline)', through),
      overhead('overhead (in a session − baseline)', sessions),
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
