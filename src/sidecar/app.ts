/**
 * The sidecar as a Hono app: dashboard, JSON API, live events and /metrics over the ledger. No
 * listening and no globals; serve.ts binds it to a port.
 *
 * Seam for other routes: pass `extraRoutes(app)`. It runs after the security middleware (Host,
 * Origin, body limit, and with COMETAPI_MCP_TOKEN set the bearer token on /api/*, /metrics, /mcp
 * and /v1/*) and before the dashboard's static routes, so `/mcp`, `/v1/*`, `/api/quotas` and
 * `/api/alerts` mounted there get the same protection. Errors they throw reach the same onError
 * (BadInputError → 400 JSON). The sub-routers (createApiRoutes, createEventsRoutes, ...) are
 * exported for other compositions.
 */
import { Hono } from 'hono';
import { createBalanceMonitor, type BalanceMonitor } from '../balance/monitor.js';
import { DEFAULT_PROVIDER } from '../config-file.js';
import type { Config } from '../config.js';
import { BadInputError, errorMessage } from '../errors.js';
import type { LedgerStore } from '../ledger/store.js';
import type { Logger } from '../log.js';
import { createQueryService } from '../upstream/query-service.js';
import { packageVersion } from '../version.js';
import { registerBalanceMetrics } from './balance-metrics.js';
import { createLedgerMetrics } from './ledger-metrics.js';
import { createApiRoutes } from './routes/api.js';
import { createBalanceRoutes } from './routes/balance.js';
import { createCallFeed } from './call-feed.js';
import { DEFAULT_MAX_EVENT_STREAMS, createEventsRoutes } from './routes/events.js';
import { createMetricsRoutes } from './routes/metrics.js';
import { createPriceRoutes } from './routes/prices.js';
import { createQuotaRoutes } from './routes/quotas.js';
import { createSessionRoutes } from './routes/sessions.js';
import { createStaticRoutes } from './routes/static.js';
import { createBodyLimit, createSecurityHeaders, createSecurityMiddleware } from './security.js';

export type SidecarMode = 'demo' | 'live';

export interface SidecarDeps {
  store: LedgerStore;
  config: Config;
  logger: Logger;
  /** Wall clock for "last 24h"-style ranges; tests pin it. */
  clock?: () => number;
  mode: SidecarMode;
  /** Mounts more routes (e.g. /mcp, /v1/*, /api/quotas) behind the same security checks. */
  extraRoutes?: (app: Hono) => void;
  /** Host names to accept besides loopback and the bound host. */
  allowedHosts?: readonly string[];
  /** Origins to accept besides the sidecar's own (see SecurityOptions.allowedOrigins). */
  allowedOrigins?: readonly string[];
  /** Bodies of non-GET requests above this are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** /api/events poll interval (default 500 ms) and heartbeat interval (default 15 s). */
  eventsPollMs?: number;
  eventsHeartbeatMs?: number;
  /** Open /api/events streams at most; more are answered 503 with Retry-After (default 500). */
  maxEventStreams?: number;
  /** Where the dashboard's static files are; defaults to the package's dashboard/. */
  dashboardDir?: string;
  /** The balance schedule (started by the caller); without one, refreshes asked for over /api run unscheduled. */
  balance?: BalanceMonitor;
  /** The provider name CometAPI's calls carry in the ledger (default "cometapi"). */
  provider?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: SidecarDeps): Hono {
  const { store, config, logger, mode } = deps;
  const clock = deps.clock ?? Date.now;
  const queries = store.queries;
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof BadInputError) return c.json({ error: error.message, code: error.code }, 400);
    logger.error('sidecar request failed', { path: c.req.path, error: errorMessage(error) });
    return c.json({ error: 'internal error; see the server log', code: 'internal' }, 500);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}`, code: 'no_route' }, 404));

  app.use('*', createSecurityHeaders());
  app.use(
    '*',
    createSecurityMiddleware({
      boundHost: config.host,
      allowedHosts: deps.allowedHosts,
      allowedOrigins: deps.allowedOrigins,
      token: config.token,
    }),
  );
  app.use('*', createBodyLimit(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));

  app.route(
    '/api',
    createApiRoutes({ queries, config, ledgerPath: store.location, mode, version: packageVersion(), clock }),
  );
  app.route(
    '/api',
    createEventsRoutes({
      feed: createCallFeed({ calls: store.calls, pollMs: deps.eventsPollMs ?? 500, logger }),
      calls: store.calls,
      heartbeatMs: deps.eventsHeartbeatMs ?? 15_000,
      maxStreams: deps.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS,
    }),
  );
  app.route('/api', createQuotaRoutes({ store, config, clock }));
  app.route('/api', createSessionRoutes({ sessions: store.sessions, config, clock }));
  app.route('/api', createPriceRoutes({ store, config, clock }));
  const service = createQueryService(config.query);
  const provider = deps.provider ?? DEFAULT_PROVIDER;
  const monitor =
    deps.balance ??
    createBalanceMonitor({ store, service, logger, clock, provider, billingTimeZone: config.query.billingTimeZone });
  app.route('/api', createBalanceRoutes({ store, query: config.query, service, provider, monitor, clock }));
  const metrics = createLedgerMetrics(queries);
  registerBalanceMetrics(metrics.registry, store.balance, clock);
  app.route('/', createMetricsRoutes(metrics));
  deps.extraRoutes?.(app);
  app.route('/', createStaticRoutes({ dashboardDir: deps.dashboardDir }));
  return app;
}
