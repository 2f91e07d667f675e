/**
 * The same test files against both engines: `describe.each(ledgerEngines('…'))` and each test
 * opens a fresh ledger with engine.open(). SQLite is a temp file (tempLedger); PostgreSQL is a
 * fresh database on the run's throwaway server (test/postgres/cluster.ts). Without PostgreSQL the
 * postgres case is left out with a message saying how to enable it; under CI=true it fails.
 */
import fs from 'node:fs';
import { openPostgresStore } from '../../src/ledger/postgres/store.js';
import type { LedgerStore, StoreEngine } from '../../src/ledger/store.js';
import { createTestDatabase, POSTGRES_AVAILABLE, requirePostgres } from '../postgres/cluster.js';
import { tempDir } from './harness.js';
import { tempLedger, type EngineLedger } from './ledger.js';

export interface LedgerEngine {
  readonly name: StoreEngine;
  /** A fresh, empty ledger on this engine. */
  open(): Promise<EngineLedger>;
}

async function tempPostgresLedger(): Promise<EngineLedger> {
  const database = await createTestDatabase();
  const dir = tempDir('cometapi-mcp-pg-test-');
  const store = await openPostgresStore({ url: database.url });
  const stores: LedgerStore[] = [store];
  return {
    store,
    dir,
    env: { COMETAPI_MCP_DATABASE_URL: database.url },
    another: async () => {
      const other = await openPostgresStore({ url: database.url });
      stores.push(other);
      return other;
    },
    cleanup: async () => {
      for (const s of stores) await s.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SQLITE: LedgerEngine = { name: 'sqlite', open: async () => tempLedger() };
const POSTGRES: LedgerEngine = { name: 'postgres', open: tempPostgresLedger };

/** The engines to run `what` on; call once at the top of a test file. */
export function ledgerEngines(what: string): LedgerEngine[] {
  requirePostgres(`${what} on PostgreSQL`);
  return POSTGRES_AVAILABLE ? [SQLITE, POSTGRES] : [SQLITE];
}
