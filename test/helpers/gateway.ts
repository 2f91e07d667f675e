import fs from 'node:fs';
import OpenAI from 'openai';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { CallGuard } from '../../src/metering.js';
import { setQuota } from '../../src/quotas/manage.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createGateway, type GatewayOptions } from '../../src/sidecar/gateway.js';
import { startSidecar, type RunningSidecar } from '../../src/sidecar/serve.js';
import type { RunningSimulatedUpstream, SimulatedUpstreamOptions } from '../../src/upstream/simulated.js';
import { TEST_KEY, startTestUpstream, tempDir, testConfig } from './harness.js';
import type { LedgerEngine } from './ledger-engines.js';

/** The real sidecar with /mcp and /v1 on 127.0.0.1:<free port>, over a temp ledger and the simulated upstream. */
export interface GatewayHarness {
  sim: RunningSimulatedUpstream;
  config: Config;
  runtime: Runtime;
  sidecar: RunningSidecar;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  logs: string[];
  /** The real openai package pointed at the proxy. */
  openai(options?: { apiKey?: string; headers?: Record<string, string> }): OpenAI;
  /** A hard daily quota of 1 token named `name` on `client`: that client's next call is refused. */
  capClient(name: string, client: string): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayHarnessOptions {
  env?: Record<string, string>;
  sim?: SimulatedUpstreamOptions;
  guard?: CallGuard;
  gateway?: GatewayOptions;
  /** The engine of the ledger (a fresh one); SQLite in the harness's directory when left out. */
  engine?: LedgerEngine;
}

export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const sim = await startTestUpstream(options.sim);
  const dir = tempDir('cometapi-mcp-gateway-');
  const ledger = options.engine ? await options.engine.open() : null;
  const config = testConfig(sim.baseUrl, dir, {
    COMETAPI_TIMEOUT_MS: '5000',
    COMETAPI_MCP_PORT: '0',
    ...ledger?.env,
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [TEST_KEY] });
  const runtime = await createRuntime({
    config,
    logger,
    guard: options.guard,
    sleep: async () => undefined,
    random: () => 0.5,
  });
  const gateway = createGateway(runtime, options.gateway);
  const sidecar = await startSidecar({
    store: runtime.store,
    config,
    logger,
    mode: 'live',
    host: config.host,
    port: 0,
    extraRoutes: (app) => gateway.mount(app),
  });
  if (!sidecar) throw new Error('could not bind the sidecar');
  return {
    sim,
    config,
    runtime,
    sidecar,
    url: sidecar.url,
    logs,
    openai: (o = {}) =>
      new OpenAI({
        apiKey: o.apiKey ?? config.token ?? 'anything',
        baseURL: `${sidecar.url}/v1`,
        maxRetries: 0,
        defaultHeaders: o.headers,
      }),
    capClient: async (name, client) => {
      await setQuota(
        runtime.store.quotas,
        { name, metric: 'tokens', period: 'day', limit: 1, hard: true, scope: `client=${client}` },
        { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
      );
    },
    close: async () => {
      await sidecar.close();
      await gateway.close();
      await runtime.close();
      await ledger?.cleanup();
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
