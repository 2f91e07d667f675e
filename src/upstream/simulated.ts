/**
 * Simulated OpenAI-compatible upstream (CometAPI look-alike) for the demo, tests and
 * benchmarks. The implementation lives in ./simulated/; this file is the public entry.
 */
import { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createSimulatedUpstream } from './simulated/app.js';
import type { RunningSimulatedUpstream, StartSimulatedUpstreamOptions } from './simulated/types.js';

export { createSimulatedUpstream, DEFAULT_SIM_MODELS } from './simulated/app.js';
export type { SimBilling, SimBillingOptions } from './simulated/billing.js';
export type {
  RunningSimulatedUpstream,
  SimFault,
  SimModel,
  SimModelKind,
  SimRecordedResponse,
  SimUsage,
  SimulatedUpstream,
  SimulatedUpstreamOptions,
  StartSimulatedUpstreamOptions,
} from './simulated/types.js';

/** Serves a fresh simulated upstream on `host:port` (default 127.0.0.1, ephemeral port). */
export async function startSimulatedUpstream(
  options: StartSimulatedUpstreamOptions = {},
): Promise<RunningSimulatedUpstream> {
  const { port = 0, host = '127.0.0.1', ...simOptions } = options;
  const sim = createSimulatedUpstream(simOptions);
  const server = serve({ fetch: sim.app.fetch, port, hostname: host });
  if (!(server instanceof Server)) throw new TypeError('simulated upstream: expected a node:http server');
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new TypeError('simulated upstream: server has no TCP address');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    app: sim.app,
    baseUrl: `http://${hostPart}:${address.port}/v1`,
    queryUrl: `http://${hostPart}:${address.port}`,
    billing: sim.billing,
    enqueueFault: (fault, opts) => sim.enqueueFault(fault, opts),
    get requests() {
      return sim.requests;
    },
    get responses() {
      return sim.responses;
    },
    reset: () => sim.reset(),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Drops keep-alive and hanging connections too; otherwise close() would wait for them forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
