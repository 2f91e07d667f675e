/** Chooses and opens the ledger's engine; the only place that knows which engines exist. */
import type { GroupCommitOptions } from './group-commit.js';
import type { LedgerStore } from './store.js';

export interface OpenStoreOptions {
  /** The SQLite file (the default engine). */
  dbPath: string;
  readonly?: boolean;
  groupCommit?: GroupCommitOptions;
}

export async function openStore(options: OpenStoreOptions): Promise<LedgerStore> {
  // Loaded on first use: the driver is not needed to answer an MCP client's initialize.
  const { openSqliteStore } = await import('./sqlite/store.js');
  return openSqliteStore({ file: options.dbPath, readonly: options.readonly, groupCommit: options.groupCommit });
}
