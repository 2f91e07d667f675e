import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createServer } from '../mcp/server.js';
import { serveStdio } from '../mcp/stdio.js';
import { createRuntime } from '../runtime.js';

/** `cometapi-mcp` with no argument: what an MCP client spawns. stdout is the protocol only. */
export async function runStdioCommand(config: Config, logger: Logger): Promise<void> {
  const runtime = createRuntime({ config, logger });
  if (!config.key) {
    logger.warn('COMETAPI_KEY is not set: tools are listed, but each call will explain how to set the key');
  }
  logger.info('cometapi-mcp stdio server ready', { ledger: config.dbPath, upstream: new URL(config.baseUrl).host });
  try {
    await serveStdio(createServer(runtime.serverDeps('mcp-stdio')));
  } finally {
    runtime.close();
  }
}
