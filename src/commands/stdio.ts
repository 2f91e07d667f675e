import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createServer } from '../mcp/server.js';
import { serveStdio } from '../mcp/stdio.js';
import { createRuntime, type Runtime } from '../runtime.js';
import type { RunningSidecar } from '../sidecar/serve.js';
import { errorMessage } from '../errors.js';

/** `cometapi-mcp` with no argument: what an MCP client spawns. stdout is the protocol only. */
export async function runStdioCommand(config: Config, logger: Logger): Promise<void> {
  const runtime = await createRuntime({ config, logger });
  if (!config.key) {
    logger.warn('COMETAPI_KEY is not set: tools are listed, but each call will explain how to set the key');
  }
  logger.info('cometapi-mcp stdio server ready', {
    ledger: runtime.store.location,
    upstream: new URL(config.baseUrl).host,
  });
  // The dashboard comes up beside the protocol, never in its way: initialize is not kept waiting.
  const sidecar = config.sidecar === 'auto' ? startSidecarQuietly(runtime) : Promise.resolve(null);
  try {
    await serveStdio(createServer(runtime.serverDeps('mcp-stdio')));
  } finally {
    await (await sidecar)?.close();
    await runtime.close();
  }
}

/** Another window's server may hold the port already; then this one carries on without a sidecar. */
async function startSidecarQuietly(runtime: Runtime): Promise<RunningSidecar | null> {
  try {
    const { startGatewaySidecar } = await import('./serve.js');
    const sidecar = await startGatewaySidecar(runtime, 'live', runtime.config.port);
    if (sidecar) runtime.logger.info('dashboard available', { url: sidecar.url });
    return sidecar;
  } catch (error) {
    runtime.logger.warn('dashboard not started; the MCP server works without it', { error: errorMessage(error) });
    return null;
  }
}
