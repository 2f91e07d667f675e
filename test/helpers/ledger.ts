import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/ledger/sqlite/store.js';
import type { CallRecord, CallRow, LedgerStore } from '../../src/ledger/store.js';

/** A fresh ledger on either engine (see ledger-engines.ts), with a temp data directory. */
export interface EngineLedger {
  readonly store: LedgerStore;
  readonly dir: string;
  /** What a configuration needs to open this ledger: COMETAPI_MCP_DB or COMETAPI_MCP_DATABASE_URL. */
  readonly env: Readonly<Record<string, string>>;
  /** Another store on the same ledger: stands in for another process or another machine. */
  another(): Promise<LedgerStore>;
  /** Closes every store opened here and removes the ledger and the directory. */
  cleanup(): Promise<void>;
}

export interface TempLedger extends EngineLedger {
  readonly file: string;
  /** A raw connection of the test's own, for checks the store does not offer (integrity_check, plans). */
  readonly sql: Database.Database;
  /** A second store on the same file: stands in for another process writing the ledger. */
  openSecond(): LedgerStore;
}

/** A fresh ledger on a file in its own temp directory. */
export function tempLedger(prefix = 'cometapi-mcp-test-'): TempLedger {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'ledger.db');
  const store = openSqliteStore({ file });
  const extra: LedgerStore[] = [];
  let sql: Database.Database | null = null;
  const openSecond = () => {
    const second = openSqliteStore({ file });
    extra.push(second);
    return second;
  };
  return {
    store,
    file,
    dir,
    get sql() {
      sql ??= new Database(file);
      return sql;
    },
    env: { COMETAPI_MCP_DB: file },
    openSecond,
    another: async () => openSecond(),
    cleanup: async () => {
      for (const s of [...extra, store]) await s.close();
      sql?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A complete, successful chat call; every field can be overridden. */
export function callRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    ts: Date.UTC(2025, 0, 15, 12, 0, 0),
    duration_ms: 1000,
    ttft_ms: null,
    source: 'mcp-stdio',
    client: 'Cherry Studio',
    tool: 'chat',
    provider: 'cometapi',
    model_requested: 'gpt-4o-mini',
    model_used: 'gpt-4o-mini',
    stream: false,
    prompt_tokens: 10,
    completion_tokens: 20,
    cached_tokens: 0,
    reasoning_tokens: 0,
    images: 0,
    usage_estimated: false,
    cost_nano_usd: 100_000,
    status: 'ok',
    http_status: 200,
    error_type: null,
    error_message: null,
    retries: 0,
    fallback_from: null,
    request_id: null,
    ...overrides,
  };
}

/** Inserts one complete row per spec (defaults from callRecord), in one transaction, and returns their ids. */
export function seedCalls(store: LedgerStore, specs: readonly Partial<CallRecord>[]): Promise<number[]> {
  return store.calls.recordMany(specs.map((spec) => callRecord(spec)));
}

/** Config for a sidecar over this temp ledger; env entries override (e.g. COMETAPI_MCP_TOKEN). */
export function ledgerConfig(temp: EngineLedger, env: Record<string, string> = {}): Config {
  return loadConfig({ ...temp.env, COMETAPI_MCP_DATA_DIR: temp.dir, COMETAPI_MCP_TZ: 'UTC', ...env });
}

/** Every row, oldest first. */
export function allCalls(store: LedgerStore): Promise<CallRow[]> {
  return store.calls.after(0, Number.MAX_SAFE_INTEGER);
}
