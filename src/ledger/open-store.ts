/** Chooses and opens the ledger's engine; the only place that knows which engines exist. */
import type { Config } from '../config.js';
import type { GroupCommitOptions } from './group-commit.js';
import type { LedgerStore } from './store.js';

export interface OpenStoreOptions {
  /** The SQLite file (the default engine); not used when databaseUrl is set. */
  dbPath: string;
  /** postgres:// or postgresql:// URL of a shared team ledger: chooses the PostgreSQL engine. */
  databaseUrl?: string | undefined;
  /** PEM CA file that verifies the PostgreSQL server (sslmode=verify-full unless the URL says otherwise). */
  databaseCa?: string | undefined;
  readonly?: boolean;
  groupCommit?: GroupCommitOptions;
}

/** Whether a --db argument (or any ledger location) is a PostgreSQL URL rather than a file. */
export const isDatabaseUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

type LedgerConfig = Pick<Config, 'dbPath' | 'databaseUrl' | 'databaseCa'>;

/** The configured ledger, or the one a command's --db names instead (a file or a postgres:// URL). */
export function ledgerOptions(config: LedgerConfig, db?: string): OpenStoreOptions {
  if (db === undefined)
    return { dbPath: config.dbPath, databaseUrl: config.databaseUrl, databaseCa: config.databaseCa };
  return isDatabaseUrl(db) ? { dbPath: config.dbPath, databaseUrl: db, databaseCa: config.databaseCa } : { dbPath: db };
}

export async function openStore(options: OpenStoreOptions): Promise<LedgerStore> {
  // Drivers are loaded on first use: neither is needed to answer an MCP client's initialize.
  if (options.databaseUrl) {
    const { openPostgresStore } = await import('./postgres/store.js');
    return openPostgresStore({
      url: options.databaseUrl,
      caFile: options.databaseCa,
      groupCommit: options.groupCommit,
    });
  }
  const { openSqliteStore } = await import('./sqlite/store.js');
  return openSqliteStore({ file: options.dbPath, readonly: options.readonly, groupCommit: options.groupCommit });
}
