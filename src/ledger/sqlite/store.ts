/**
 * The SQLite engine: one file, WAL, synchronous=NORMAL, group-committed inserts. better-sqlite3
 * is synchronous, so reads answer on the spot; the store's promises keep callers engine-neutral.
 */
import { DEFAULT_GROUP_COMMIT, type GroupCommitOptions } from '../group-commit.js';
import { createBreakdownQuery } from '../queries/breakdown.js';
import { createTimeseriesQuery } from '../queries/timeseries.js';
import type { LedgerStore } from '../store.js';
import { createSqliteAlertStore } from './alerts.js';
import { createSqliteBalanceStore } from './balance.js';
import { createSqliteCopyStore } from './copies.js';
import { createCallQueries } from './call-queries.js';
import { createSqliteCallStore } from './calls.js';
import { createMetricQueries } from './metric-rows.js';
import { openDatabase } from './open.js';
import { createUsageQuery } from './quota-usage.js';
import { createSqlitePriceStore } from './prices.js';
import { createSqliteQuotaStore } from './quotas.js';
import { createRollupReader } from './rollup-reader.js';
import { warmRollups } from './rollup-catch-up.js';
import { createSqliteSessionStore } from './sessions.js';
import { createSummaryQuery } from './summary.js';
import { createUsageReportQuery } from './usage-report.js';

export interface SqliteStoreOptions {
  file: string;
  readonly?: boolean;
  groupCommit?: GroupCommitOptions;
}

export function openSqliteStore(options: SqliteStoreOptions): LedgerStore {
  const db = openDatabase(options.file, { readonly: options.readonly });
  const calls = createSqliteCallStore(db, options.file, options.groupCommit ?? DEFAULT_GROUP_COMMIT);
  const rollups = createRollupReader(db);
  const summary = createSummaryQuery(db, rollups);
  const timeseries = createTimeseriesQuery(rollups);
  const breakdown = createBreakdownQuery(rollups);
  const callQueries = createCallQueries(db);
  const metricRows = createMetricQueries(db);
  const usageReport = createUsageReportQuery(db);
  const quotaUsage = createUsageQuery(db);
  let closed = false;
  return {
    engine: 'sqlite',
    location: options.file,
    readonly: db.readonly,
    calls,
    queries: {
      summary: async (range) => summary(range),
      timeseries: async (range, bucket, timeZone) => timeseries(range, bucket, timeZone),
      breakdown: async (range, by) => breakdown(range, by),
      calls: async (filter) => callQueries.list(filter),
      errors: async (range) => callQueries.errors(range),
      metricRows: async (afterId, limit) => metricRows.rowsAfter(afterId, limit),
      usageReport: async (report) => usageReport(report),
      quotaUsage: async (quota, window) => quotaUsage(quota, window),
    },
    quotas: createSqliteQuotaStore(db),
    prices: createSqlitePriceStore(db),
    alerts: createSqliteAlertStore(db),
    sessions: createSqliteSessionStore(db),
    balance: createSqliteBalanceStore(db),
    copies: createSqliteCopyStore(db),
    maintain: (stopped) => (db.readonly ? Promise.resolve(0) : warmRollups(db, () => closed || stopped())),
    async close() {
      if (closed) return;
      closed = true;
      await calls.drain();
      db.close();
    },
  };
}
