import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import type { Logger } from '../log.js';
import { runAgentTraffic } from '../demo/agent-traffic.js';
import { isDatabaseUrl } from '../ledger/open-store.js';
import { DEMO_CLIENTS, demoLoopCalls, runDemoTraffic } from '../demo/traffic.js';
import { seededRandom } from '../random.js';
import { createServer } from '../mcp/server.js';
import { createRuntime } from '../runtime.js';
import { startSimulatedUpstream } from '../upstream/simulated.js';
import { runUsageCommand } from './usage.js';
import { startDashboard, untilStopped } from './serve.js';

const DEMO_KEY = 'sk-demo-simulated-upstream';
const DEMO_PRICE_SKEW = { 'gpt-image-1': 1.1 };
/** The demo's balance moves within seconds, not the real 10 minutes. */
const DEMO_BALANCE_SCHEDULE = { checkMs: 3_000, intervalMs: 15_000, reconcileMs: 30_000 };

/**
 * `cometapi-mcp demo`: the sidecar and real MCP client sessions against the built-in simulated
 * upstream. Its rows go to a separate demo ledger so they never mix with real spending.
 */
export async function runDemoCommand(
  argv: string[],
  config: Config,
  logger: Logger,
  write: (text: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string', default: '7' },
      'no-dashboard': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const calls = values.calls === undefined ? undefined : Number(values.calls);
  if (calls !== undefined && !(Number.isInteger(calls) && calls > 0 && calls <= 100_000)) {
    throw new BadInputError(`--calls must be a whole number from 1 to 100000 (got "${values.calls}")`);
  }
  const random = seededRandom(Number(values.seed) || 7);
  const upstream = await startSimulatedUpstream({
    apiKey: DEMO_KEY,
    latencyMs: 60,
    jitterMs: 400,
    tokensPerSecond: 120,
    errorRate: 0.08,
    random,
    // A live balance, and a bill that drifts the way a stale price does: CometAPI charging 10 % more for gpt-image-1.
    billing: { balanceUsd: 25, priceSkew: DEMO_PRICE_SKEW },
  });
  const demoConfig: Config = {
    ...config,
    key: DEMO_KEY,
    baseUrl: upstream.baseUrl,
    query: { ...config.query, url: upstream.queryUrl, key: DEMO_KEY, keyName: undefined, scheduled: true },
    // Its own ledger, never the configured one: a file, or a PostgreSQL URL given with --db.
    dbPath: values.db && !isDatabaseUrl(values.db) ? values.db : path.join(config.dataDir, 'demo-ledger.db'),
    databaseUrl: values.db && isDatabaseUrl(values.db) ? values.db : undefined,
    // Simulated images and audio stay apart from real ones too.
    dataDir: path.join(config.dataDir, 'demo'),
    maxRetries: 2,
  };
  const runtime = await createRuntime({ config: demoConfig, logger, provider: 'simulated' });
  const { signal, stopped } = untilStopped();
  write(
    'DEMO MODE — no COMETAPI_KEY is set, so calls go to the built-in SIMULATED upstream: no real models, no real cost.\n' +
      `Simulated usage is recorded in ${runtime.store.location} (separate from your real ledger).\n`,
  );
  let sidecar: Awaited<ReturnType<typeof startDashboard>> | null = null;
  try {
    if (!values['no-dashboard']) {
      sidecar = await startDashboard(runtime, 'demo', config.port, DEMO_BALANCE_SCHEDULE);
      write(`Dashboard: ${sidecar.url}\n`);
    }
    write(
      calls
        ? `Making ${calls} calls from ${DEMO_CLIENTS.length} simulated MCP clients…\n`
        : `Generating traffic from ${DEMO_CLIENTS.length} simulated MCP clients; Ctrl-C to stop.\n`,
    );
    // With the dashboard up, Claude-Code-like and Codex-like clients also call its proxy, over HTTP.
    const agents = sidecar
      ? runAgentTraffic({
          baseUrl: sidecar.url,
          token: config.token,
          random: seededRandom((Number(values.seed) || 7) + 1),
          rounds: calls === undefined ? undefined : Math.ceil(calls / 10),
          minPauseMs: calls ? 0 : 1_500,
          maxPauseMs: calls ? 0 : 6_000,
          signal,
        })
      : Promise.resolve(0);
    const [made] = await Promise.all([
      runDemoTraffic({
        createServer: () => createServer(runtime.serverDeps('demo')),
        random,
        calls,
        loopCalls: demoLoopCalls(config.loopGuard),
        minPauseMs: calls ? 0 : 400,
        maxPauseMs: calls ? 0 : 2_500,
        signal,
      }),
      agents,
    ]);
    if (calls) await runUsageCommand(['--since', 'all'], demoConfig, write);
    else write(`Stopped after ${made} calls.\n`);
    if (sidecar && calls) {
      write(`The dashboard stays up at ${sidecar.url}; Ctrl-C to stop.\n`);
      await stopped;
    }
    return 0;
  } finally {
    await sidecar?.close();
    await runtime.close();
    await upstream.close();
  }
}
