import type { Config } from './config.js';
import type { CallSource } from './ledger/calls.js';
import { openLedger, type Ledger } from './ledger/open.js';
import type { Logger } from './log.js';
import { createMetering, type CallGuard, type Metering, type MeteringDeps } from './metering.js';
import type { ServerDeps } from './mcp/deps.js';
import { createModelCatalog, type ModelCatalog } from './upstream/catalog.js';
import { createUpstreamClient, type UpstreamClient } from './upstream/client.js';
import { createPriceTable, type PriceTable } from './upstream/prices.js';
import { defaultRetryPolicy } from './upstream/retry.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  ledger: Ledger;
  prices: PriceTable;
  upstream: UpstreamClient | null;
  metering: Metering;
  catalog: ModelCatalog;
  serverDeps(source: CallSource): ServerDeps;
  close(): void;
}

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** Provider name recorded on rows; "cometapi" unless running against the simulator. */
  provider?: string;
  guard?: CallGuard;
  onRecorded?: MeteringDeps['onRecorded'];
  /** For tests: deterministic backoff. */
  sleep?: MeteringDeps['sleep'];
  random?: MeteringDeps['random'];
  clock?: () => number;
}

/** Wires config → ledger, prices, upstream client, metering and catalog. Opens the ledger file. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, logger } = options;
  const ledger = openLedger(config.dbPath);
  const prices = createPriceTable(config.pricesFile);
  const upstream = config.key
    ? createUpstreamClient({ provider: options.provider ?? 'cometapi', baseUrl: config.baseUrl, apiKey: config.key, timeoutMs: config.timeoutMs })
    : null;
  const secrets = [config.key, config.token].filter((s): s is string => typeof s === 'string');
  const metering = createMetering({
    ledger, prices, upstream, logger, secrets,
    retryPolicy: defaultRetryPolicy(config.maxRetries),
    guard: options.guard, onRecorded: options.onRecorded, sleep: options.sleep, random: options.random, clock: options.clock,
  });
  const catalog = createModelCatalog({ upstream, prices, clock: options.clock });
  return {
    config, logger, ledger, prices, upstream, metering, catalog,
    serverDeps: (source) => ({ metering, ledger, config, logger, catalog, source, clock: options.clock }),
    close: () => ledger.close(),
  };
}
