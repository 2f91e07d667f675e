/**
 * The servers bench/proxy.ts measures, each in its own process so its memory can be read alone
 * and the load generator does not share its event loop:
 *
 *   sim                        the simulated upstream (latency 0, no pacing)
 *   proxy <base-url> <db-file> the sidecar with /v1 and /mcp over that upstream, ledger in <db-file>
 *
 * The upstream key comes in BENCH_UPSTREAM_KEY. Prints its URL as the first line of stdout,
 * serves 127.0.0.1 only, and exits when stdin closes.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createGateway } from '../src/sidecar/gateway.js';
import { startSidecar } from '../src/sidecar/serve.js';
import { startSimulatedUpstream } from '../src/upstream/simulated.js';

async function serveSim(key: string): Promise<() => Promise<void>> {
  const sim = await startSimulatedUpstream({ apiKey: key, latencyMs: 0, tokensPerSecond: 0 });
  process.stdout.write(`${sim.baseUrl}\n`);
  return () => sim.close();
}

async function serveProxy(key: string, baseUrl: string, dbFile: string): Promise<() => Promise<void>> {
  const config = loadConfig({ COMETAPI_KEY: key, COMETAPI_BASE_URL: baseUrl, COMETAPI_MCP_DB: dbFile, COMETAPI_MCP_TZ: 'UTC', COMETAPI_MCP_HOST: '127.0.0.1' });
  const logger = createLogger({ level: 'error' });
  const runtime = createRuntime({ config, logger, provider: 'simulated' });
  const gateway = createGateway(runtime);
  const sidecar = await startSidecar({ ledger: runtime.ledger, config, logger, mode: 'live', host: '127.0.0.1', port: 0, extraRoutes: (app) => gateway.mount(app) });
  if (!sidecar) throw new Error('could not bind the sidecar');
  process.stdout.write(`${sidecar.url}\n`);
  return async () => {
    await sidecar.close();
    await gateway.close();
    runtime.close();
  };
}

const [mode, baseUrl, dbFile] = process.argv.slice(2);
const key = process.env.BENCH_UPSTREAM_KEY ?? '';
const stop = !key ? null : mode === 'sim' ? await serveSim(key) : mode === 'proxy' && baseUrl && dbFile ? await serveProxy(key, baseUrl, dbFile) : null;
if (!stop) {
  process.stderr.write('usage: BENCH_UPSTREAM_KEY=sk-... proxy-server.ts sim | proxy <base-url> <db-file>\n');
  process.exit(2);
}
process.stdin.resume();
process.stdin.on('end', () => void stop().finally(() => process.exit(0)));
