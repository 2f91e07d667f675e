import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import type { Logger } from '../log.js';
import { runModelBench, type ModelBenchResult } from '../model-bench/run.js';
import type { SampleStats } from '../model-bench/stats.js';
import { createRuntime } from '../runtime.js';
import { startSimulatedUpstream } from '../upstream/simulated.js';
import { untilStopped } from './serve.js';
import { formatUsd } from '../usage-format.js';

const SIM_KEY = 'sk-bench-simulated-upstream';

const pair = (s: SampleStats, digits = 0) =>
  s.median === null ? '–' : `${s.median.toFixed(digits)} / ${(s.p95 ?? 0).toFixed(digits)}`;

export function formatModelBench(results: readonly ModelBenchResult[]): string {
  const header = [
    'model',
    'ok/runs',
    'TTFT ms p50/p95',
    'total ms p50/p95',
    'tokens/s p50/p95',
    'outliers dropped',
    'cost',
  ];
  const rows = results.map((r) => [
    r.model,
    `${r.ok}/${r.runs}`,
    pair(r.ttft_ms),
    pair(r.total_ms),
    pair(r.tokens_per_s, 1),
    String(r.total_ms.n - r.total_ms.kept),
    formatUsd(r.cost_usd),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const errors = results
    .filter((r) => r.last_error)
    .map((r) => `${r.model}: ${r.errors} failed; last error: ${r.last_error}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...errors].join('\n') + '\n';
}

/**
 * `cometapi-mcp bench`: the seed article's method — at least 30 streamed runs per model, outliers
 * beyond 2σ dropped, median and p95 of TTFT, total time and tokens/s. Every run is a ledger row
 * (source "bench"), so the dashboard and `usage --by source` show what benchmarking cost.
 */
export async function runBenchCommand(
  argv: string[],
  config: Config,
  logger: Logger,
  write: (text: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string' },
      runs: { type: 'string', default: '30' },
      prompt: { type: 'string', default: 'Explain in three sentences why the sky is blue.' },
      'max-tokens': { type: 'string', default: '128' },
      simulated: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const models = (values.models ?? config.models.chat)
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const runs = Number(values.runs);
  const maxTokens = Number(values['max-tokens']);
  if (models.length === 0 || models.length > 10)
    throw new BadInputError('--models takes 1 to 10 comma-separated model ids');
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
    throw new BadInputError(
      `--runs must be a whole number from 1 to 1000 (got "${values.runs}"); the method asks for at least 30`,
    );
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 32_000)
    throw new BadInputError('--max-tokens must be a whole number from 1 to 32000');
  if (!values.simulated && !config.key)
    throw new BadInputError(
      'bench measures real models: set COMETAPI_KEY, or add --simulated to try it against the built-in simulated upstream',
    );
  if (runs < 30) write(`Note: ${runs} runs per model is below the method's minimum of 30; figures will be noisy.\n`);

  const sim = values.simulated
    ? await startSimulatedUpstream({ apiKey: SIM_KEY, latencyMs: 80, jitterMs: 60, tokensPerSecond: 150 })
    : null;
  const runConfig: Config = sim
    ? {
        ...config,
        key: SIM_KEY,
        baseUrl: sim.baseUrl,
        // Simulated runs go to the demo ledger, never the configured (possibly shared) one.
        dbPath: path.join(config.dataDir, 'demo-ledger.db'),
        databaseUrl: undefined,
      }
    : config;
  const runtime = await createRuntime({ config: runConfig, logger, provider: sim ? 'simulated' : undefined });
  const { signal } = untilStopped();
  try {
    if (sim) write('SIMULATED upstream: these figures measure the built-in simulator, not a real model.\n');
    const results = await runModelBench(runtime.metering, {
      models,
      runs,
      prompt: values.prompt,
      maxTokens,
      signal,
      onProgress: (model, done, total) =>
        process.stderr.write(`\r${model}: ${done}/${total} runs`.padEnd(60) + (done === total ? '\n' : '')),
    });
    write(values.json ? JSON.stringify(results, null, 2) + '\n' : formatModelBench(results));
    return results.every((r) => r.ok > 0) ? 0 : 1;
  } finally {
    await runtime.close();
    await sim?.close();
  }
}
