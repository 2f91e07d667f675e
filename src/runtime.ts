import { secretsOf, type Config } from './config.js';
import { DEFAULT_PROVIDER } from './config-file.js';
import { ledgerOptions, openStore } from './ledger/open-store.js';
import type { CallSource, LedgerStore } from './ledger/store.js';
import type { Logger } from './log.js';
import { createMetering, type CallGuard, type Metering, type MeteringDeps } from './metering.js';
import type { ServerDeps } from './mcp/deps.js';
import type { DeliveryPolicy } from './alerts/notify.js';
import { createQuotaSystem, type QuotaSystem } from './quotas/system.js';
import { createLoopGuard, type LoopGuard } from './sessions/loop-guard.js';
import { createModelCatalog, type ModelCatalog } from './upstream/catalog.js';
import type { UpstreamClient } from './upstream/client.js';
import { createPriceBook, type PriceBook } from './upstream/price-book.js';
import { createPriceTable } from './upstream/prices.js';
import { createProviderRouter, type ProviderRouter } from './upstream/providers.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: LedgerStore;
  /** The configured price table with the prices stored in the ledger over it. */
  prices: PriceBook;
  /** The built-in provider's client (CometAPI); null without COMETAPI_KEY. */
  upstream: UpstreamClient | null;
  router: ProviderRouter;
  metering: Metering;
  catalog: ModelCatalog;
  /** Quotas, alerts and their delivery; its guard is the metering path's unless options.guard replaced it. */
  quotas: QuotaSystem;
  /** One per process, shared by its MCP sessions and the proxy. */
  loopGuard: LoopGuard;
  serverDeps(source: CallSource): ServerDeps;
  /** Waits for pending ledger writes, then closes it. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** Provider name recorded on rows; "cometapi" unless running against the simulator. */
  provider?: string;
  /** Replaces the quota guard built from the ledger (every caller gets quota enforcement by default). */
  guard?: CallGuard;
  /** Webhook retry timing for quota alerts; tests shorten it. */
  alertDelivery?: Partial<DeliveryPolicy>;
  onRecorded?: MeteringDeps['onRecorded'];
  /** For tests: deterministic backoff. */
  sleep?: MeteringDeps['sleep'];
  random?: MeteringDeps['random'];
  clock?: () => number;
}

/** Wires config → ledger, prices, upstream client, metering and catalog. Opens the ledger. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = options;
  const store = await openStore(ledgerOptions(config));
  const prices = createPriceBook(createPriceTable(config.pricesFile), () => store.prices.list());
  const quotas = createQuotaSystem({
    store,
    logger,
    webhookUrl: config.webhookUrl,
    delivery: options.alertDelivery,
    clock: options.clock,
  });
  const router = createProviderRouter({
    defaultProvider: {
      name: options.provider ?? DEFAULT_PROVIDER,
      baseUrl: config.baseUrl,
      apiKey: config.key,
      keyEnv: 'COMETAPI_KEY',
    },
    routing: config.routing,
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
  });
  const upstream = router.defaultClient;
  const metering = createMetering({
    store,
    prices,
    router,
    logger,
    secrets: secretsOf(config),
    retryPolicy: { maxRetries: config.maxRetries, ...config.retry },
    guard: options.guard ?? quotas.guard,
    onRecorded: options.onRecorded,
    sleep: options.sleep,
    random: options.random,
    clock: options.clock,
  });
  const loopGuard = createLoopGuard(config.loopGuard);
  const catalog = createModelCatalog({ upstream, configured: router.configuredClients, prices, clock: options.clock });
  return {
    config,
    logger,
    store,
    prices,
    upstream,
    router,
    metering,
    catalog,
    quotas,
    loopGuard,
    serverDeps: (source) => ({
      loopGuard,
      metering,
      store,
      config,
      logger,
      catalog,
      source,
      clock: options.clock,
      notices: quotas.notices,
    }),
    close: async () => {
      quotas.close();
      await store.close();
    },
  };
}
