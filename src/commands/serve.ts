import { createBalanceMonitor, type BalanceSchedule } from '../balance/monitor.js';
import type { Config } from '../config.js';
import { DEFAULT_PROVIDER } from '../config-file.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { createGateway } from '../sidecar/gateway.js';
import { startSidecar, type RunningSidecar } from '../sidecar/serve.js';
import { createQueryService } from '../upstream/query-service.js';

/** Resolves on SIGINT/SIGTERM so commands can shut down cleanly. */
export function untilStopped(): { signal: AbortSignal; stopped: Promise<void> } {
  const controller = new AbortController();
  const stopped = new Promise<void>((resolve) => {
    const stop = () => (controller.abort(), resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { signal: controller.signal, stopped };
}

/**
 * The sidecar with /mcp and /v1 mounted, and the balance kept fresh on its schedule; null when the
 * port is taken (another process serves it, and refreshes the balance).
 */
export async function startGatewaySidecar(
  runtime: Runtime,
  mode: 'demo' | 'live',
  port: number,
  balanceSchedule?: Partial<BalanceSchedule>,
): Promise<RunningSidecar | null> {
  const { config, logger, store } = runtime;
  const gateway = createGateway(runtime);
  const provider = runtime.upstream?.provider ?? DEFAULT_PROVIDER;
  const balance = createBalanceMonitor({
    store,
    service: createQueryService(config.query),
    notifier: runtime.quotas.notifier,
    logger,
    clock: Date.now,
    provider,
    billingTimeZone: config.query.billingTimeZone,
    schedule: balanceSchedule,
  });
  const sidecar = await startSidecar({
    store,
    config,
    logger,
    mode,
    host: config.host,
    port,
    balance,
    provider,
    extraRoutes: (app) => gateway.mount(app),
  }).catch(async (error: unknown) => {
    await gateway.close();
    throw error;
  });
  if (!sidecar) {
    await gateway.close();
    return null;
  }
  // Without a key, or with another upstream, there is no CometAPI account to ask: "not read yet".
  if (config.query.scheduled) balance.start();
  // The schedule, /mcp sessions and the proxy's upstream connections end with the sidecar.
  return {
    ...sidecar,
    close: async () => {
      await balance.close();
      await sidecar.close();
      await gateway.close();
    },
  };
}

export async function startDashboard(
  runtime: Runtime,
  mode: 'demo' | 'live',
  port: number,
  balanceSchedule?: Partial<BalanceSchedule>,
): Promise<RunningSidecar> {
  const sidecar = await startGatewaySidecar(runtime, mode, port, balanceSchedule);
  if (!sidecar) {
    throw new ConfigError(
      `port ${port} on ${runtime.config.host} is already in use (another cometapi-mcp may be serving the dashboard there). ` +
        'Open that one, stop it, or set COMETAPI_MCP_PORT to another port.',
    );
  }
  return sidecar;
}

/** `cometapi-mcp serve`: the dashboard, API and metrics over the configured ledger, until stopped. */
export async function runServeCommand(config: Config, logger: Logger, mode: 'demo' | 'live'): Promise<void> {
  const runtime = await createRuntime({ config, logger });
  const { stopped } = untilStopped();
  try {
    const sidecar = await startDashboard(runtime, mode, config.port);
    process.stderr.write(
      `cometapi-mcp dashboard: ${sidecar.url}  (ledger ${runtime.store.location}; Ctrl-C to stop)\n`,
    );
    await stopped;
    await sidecar.close();
  } finally {
    await runtime.close();
  }
}
