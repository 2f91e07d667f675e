/**
 * The sidecar's two ways in for clients, built from one runtime: /mcp (MCP over Streamable
 * HTTP, rows recorded as mcp-http) and /v1 (the OpenAI-compatible proxy, rows recorded as
 * proxy). Both go through the runtime's metering, so quotas and the ledger see them like any call.
 */
import type { Hono } from 'hono';
import { DEFAULT_PROVIDER } from '../config-file.js';
import { createMcpHttp, type McpHttpOptions } from '../mcp/http.js';
import type { Runtime } from '../runtime.js';
import { createPassthrough, passthroughTargets } from '../upstream/passthrough.js';
import { createProxyRoutes, type ProxyLimits } from './routes/proxy.js';

export interface GatewayOptions {
  proxyLimits?: Partial<ProxyLimits>;
  mcp?: Pick<McpHttpOptions, 'maxSessions' | 'idleMs'>;
}

export interface Gateway {
  /** Pass as the sidecar's `extraRoutes`. */
  mount(app: Hono): void;
  close(): Promise<void>;
}

export function createGateway(runtime: Runtime, options: GatewayOptions = {}): Gateway {
  const { config, logger } = runtime;
  const defaultProvider = runtime.upstream?.provider ?? DEFAULT_PROVIDER;
  const passthrough = createPassthrough({
    targets: passthroughTargets(config, defaultProvider),
    timeoutMs: config.timeoutMs,
  });
  const mcp = createMcpHttp({ serverDeps: runtime.serverDeps('mcp-http'), logger, ...options.mcp });
  const proxy = createProxyRoutes({
    metering: runtime.metering,
    passthrough,
    logger,
    defaultProvider,
    defaultImageModel: config.models.image,
    maxResponseBytes: config.maxResponseBytes,
    timeoutMs: config.timeoutMs,
    limits: options.proxyLimits,
    loopGuard: runtime.loopGuard,
  });
  return {
    mount(app) {
      app.route('/mcp', mcp.routes);
      app.route('/v1', proxy);
    },
    async close() {
      await mcp.close();
      await passthrough.close();
    },
  };
}
