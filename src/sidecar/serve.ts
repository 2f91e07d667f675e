/** Binds the sidecar app to a port with @hono/node-server. */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { ConfigError, errorMessage } from '../errors.js';
import { createApp, type SidecarDeps } from './app.js';
import { isLoopbackHost } from './security.js';

export interface SidecarServeOptions extends SidecarDeps {
  host: string;
  /** 0 picks a free port; the returned url has the real one. */
  port: number;
}

export interface RunningSidecar {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The host part of a URL for a bind address: wildcards become loopback, IPv6 gets brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts listening. Resolves null when the port is taken (EADDRINUSE): usually another
 * cometapi-mcp already serves the dashboard for the same ledger, and a stdio server should carry
 * on without one rather than fail.
 */
export async function startSidecar(options: SidecarServeOptions): Promise<RunningSidecar | null> {
  const { host, port, ...deps } = options;
  if (!isLoopbackHost(host) && deps.config.token === undefined) {
    throw new ConfigError(
      `COMETAPI_MCP_HOST=${host} would expose the dashboard, API and metrics beyond this machine; set COMETAPI_MCP_TOKEN (16+ characters) to do that, or use 127.0.0.1`,
    );
  }
  const app = createApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host, port });
  const bound = await new Promise<AddressInfo | null>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      if (typeof address === 'object' && address !== null) resolve(address);
      else reject(new Error(`sidecar bound to an unexpected address: ${String(address)}`));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  if (!bound) {
    deps.logger.info('sidecar port already in use; not serving the dashboard from this process', { host, port });
    return null;
  }
  server.on('error', (error) => deps.logger.error('sidecar server error', { error: errorMessage(error) }));
  const url = `http://${urlHost(host)}:${bound.port}`;
  let closed = false;
  // A big ledger's first long-range view would otherwise fold its whole backlog in one request.
  deps.store
    .maintain(() => closed)
    .then(
      (calls) => calls > 0 && deps.logger.info('usage rollups brought up to date', { calls }),
      (error: unknown) =>
        deps.logger.warn('usage rollups not prepared; long ranges fold them on first view', {
          error: errorMessage(error),
        }),
    );
  deps.logger.info('sidecar listening', { url });
  return {
    url,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        server.close((error) => (error ? reject(error) : resolve()));
        // Open event streams would otherwise hold close() until their clients leave.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
