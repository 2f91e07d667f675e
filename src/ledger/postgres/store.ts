/**
 * The PostgreSQL engine: one ledger for a team, many machines. A pool of connections, group
 * commit as one INSERT per batch, aggregates computed in the server. See
 * docs/decisions/0019-postgres-engine.md.
 */
import { DEFAULT_GROUP_COMMIT, type GroupCommitOptions } from '../group-commit.js';
import type { LedgerStore, ReservationStore } from '../store.js';
import { createPgReservations } from './reservations.js';
import { createPgCopyStore } from './copies.js';
import { createPartAggregates } from './aggregates.js';
import { createPgSessionStore } from './sessions.js';
import { createPgAlertStore } from './alerts.js';
import { createPgBalanceStore } from './balance.js';
import { createPgCallQueries } from './call-queries.js';
import { createPostgresCallStore } from './calls.js';
import { checkConnection, createPool } from './connect.js';
import { parsePostgresUrl, PostgresConnectError, safeMessage } from './target.js';
import { migrate } from './migrate.js';
import { createPgQuotaUsage } from './quota-usage.js';
import { createPgPriceStore } from './prices.js';
import { createPgQuotaStore } from './quotas.js';
import { createRangeQueries } from './range-queries.js';
import { createRollups } from './rollups.js';
import { createPgUsageReport } from './usage-report.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:5432/database, optionally ?sslmode=require|verify-ca|verify-full. */
  url: string;
  /** A PEM CA file for verifying the server (COMETAPI_MCP_DATABASE_CA); implies verify-full unless sslmode says otherwise. */
  caFile?: string | undefined;
  /** Connections in the pool (default 10). */
  poolSize?: number | undefined;
  groupCommit?: GroupCommitOptions | undefined;
}

/** The store, whose reservations give exact shared hard quotas. */
export type PostgresStore = LedgerStore & { readonly reservations: ReservationStore };

/** Connects, migrates (under an advisory lock) and returns the store; errors never hold the password. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const target = parsePostgresUrl(options.url, options.caFile);
  const pool = createPool(target, options.poolSize);
  try {
    await checkConnection(pool, target);
    await migrate(pool);
  } catch (error) {
    await pool.end();
    if (error instanceof PostgresConnectError) throw error;
    throw new PostgresConnectError(`could not prepare the ledger ${target.location}: ${safeMessage(error, target)}`, {
      cause: error,
    });
  }
  const calls = createPostgresCallStore(pool, target.location, options.groupCommit ?? DEFAULT_GROUP_COMMIT);
  const rollups = createRollups(pool, createPartAggregates(pool));
  const range = createRangeQueries(pool, rollups.aggregates);
  const callQueries = createPgCallQueries(pool);
  const usageReport = createPgUsageReport(pool);
  const quotaUsage = createPgQuotaUsage(pool);
  let closed = false;
  return {
    engine: 'postgres',
    location: target.location,
    readonly: false,
    calls,
    queries: {
      summary: range.summary,
      timeseries: range.timeseries,
      breakdown: range.breakdown,
      calls: callQueries.list,
      errors: callQueries.errors,
      metricRows: callQueries.metricRows,
      usageReport,
      quotaUsage,
    },
    quotas: createPgQuotaStore(pool),
    prices: createPgPriceStore(pool),
    alerts: createPgAlertStore(pool),
    balance: createPgBalanceStore(pool),
    reservations: createPgReservations(pool),
    sessions: createPgSessionStore(pool),
    copies: createPgCopyStore(pool),
    async maintain(stopped) {
      // A chunk at a time, so close() or stopped() ends a long first catch-up between chunks.
      let folded = 0;
      for (let n = -1; n !== 0 && !closed && !stopped();) {
        n = await rollups.catchUp(1);
        folded += n;
      }
      if (!closed) await rollups.analyzeAfter(folded);
      return folded;
    },
    async close() {
      if (closed) return;
      closed = true;
      await calls.drain();
      await pool.end();
    },
  };
}
