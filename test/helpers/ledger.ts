import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openLedger, type Ledger } from '../../src/ledger/open.js';
import type { CallRecord } from '../../src/ledger/calls.js';

export interface TempLedger {
  readonly ledger: Ledger;
  readonly file: string;
  readonly dir: string;
  /** A second connection on the same file: stands in for another process writing the ledger. */
  openSecond(): Ledger;
  /** Closes every connection opened here and deletes the directory. */
  cleanup(): void;
}

/** A fresh ledger on a file in its own temp directory. */
export function tempLedger(prefix = 'cometapi-mcp-test-'): TempLedger {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'ledger.db');
  const ledger = openLedger(file);
  const extra: Ledger[] = [];
  return {
    ledger,
    file,
    dir,
    openSecond: () => {
      const second = openLedger(file);
      extra.push(second);
      return second;
    },
    cleanup: () => {
      for (const l of [...extra, ledger]) {
        if (l.db.open) l.close();
      }
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
    cost_micro_usd: 100,
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

/** Inserts one complete row per spec (defaults from callRecord) and returns their ids. */
export function seedCalls(ledger: Ledger, specs: readonly Partial<CallRecord>[]): number[] {
  const insertAll = ledger.db.transaction(() => specs.map((spec) => ledger.calls.insert(callRecord(spec))));
  return insertAll();
}

/** Config for a sidecar over this temp ledger; env entries override (e.g. COMETAPI_MCP_TOKEN). */
export function ledgerConfig(temp: TempLedger, env: Record<string, string> = {}): Config {
  return loadConfig({ COMETAPI_MCP_DB: temp.file, COMETAPI_MCP_DATA_DIR: temp.dir, COMETAPI_MCP_TZ: 'UTC', ...env });
}
