/**
 * Dashboard API latency on a big ledger: builds a temp ledger of N synthetic calls spread over 30
 * days (default 1,000,000), then times the one-off rollup catch-up over all of them, and
 * /api/summary, /api/timeseries and /api/breakdown for the 24h, 7d and 30d ranges through
 * app.request() (no socket), plus /metrics' first and incremental scrapes and, when Chromium is
 * installed, the dashboard's first render. With --postgres, the same on a PostgreSQL ledger (a fresh
 * database on COMETAPI_MCP_BENCH_DATABASE_URL, else a throwaway local cluster); no raw-rows baseline there.
 *
 *   npx tsx bench/api.ts [rows = 1000000] [runs = 7] [--postgres]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/ledger/open-store.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../src/ledger/store.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { startSidecar } from '../src/sidecar/serve.js';
import { benchPostgres, freshDatabase } from './postgres.js';
import { seedSyntheticCalls } from './seed.js';
import { markdownTable, quantile } from './table.js';

export interface ApiBenchRow {
  [column: string]: string | number | null;
  scenario: string;
  ledger_rows: number;
  runs: number;
  median_ms: number;
  p95_ms: number;
  /** Median of the same request answered from raw rows only (no rollups), measured in this run. */
  raw_baseline_median_ms: number | null;
  speedup_vs_raw: string | null;
}

export interface ApiBenchOptions {
  rows?: number;
  runs?: number;
  /** Set to skip the browser measurement, or point at another Chromium. */
  chromium?: string | null;
  /** A PostgreSQL URL: measure that engine instead of a temp SQLite file. */
  databaseUrl?: string;
  /** Progress lines (seeding takes a while); defaults to stderr. */
  log?: (line: string) => void;
}

const CHROMIUM = '/usr/bin/chromium';

function summarize(scenario: string, ledgerRows: number, times: number[]): ApiBenchRow {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    scenario,
    ledger_rows: ledgerRows,
    runs: times.length,
    median_ms: quantile(sorted, 0.5),
    p95_ms: quantile(sorted, 0.95),
    raw_baseline_median_ms: null,
    speedup_vs_raw: null,
  };
}

async function timeRequests(app: ReturnType<typeof createApp>, url: string, runs: number): Promise<number[]> {
  const once = async () => {
    const started = performance.now();
    const res = await app.request(url);
    if (res.status !== 200) throw new Error(`${url} → ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - started;
  };
  await once(); // warm-up: page cache and statement preparation
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}

/** Median time from navigation to the dashboard having rendered its data (default 24h range). */
async function firstRender(
  store: LedgerStore,
  config: ReturnType<typeof loadConfig>,
  executablePath: string,
  runs: number,
): Promise<number[]> {
  const { chromium } = await import('playwright-core');
  const sidecar = await startSidecar({
    store,
    config,
    logger: silentLogger,
    mode: 'demo',
    host: '127.0.0.1',
    port: 0,
  });
  if (!sidecar) throw new Error('sidecar did not start');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(sidecar.url);
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 60_000 });
      if (i > 0) times.push(performance.now() - started); // first visit warms the server
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
    await sidecar.close();
  }
}

export async function benchApi(options: ApiBenchOptions = {}): Promise<ApiBenchRow[]> {
  const rows = options.rows ?? 1_000_000;
  const runs = options.runs ?? 7;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometapi-mcp-bench-api-'));
  const file = path.join(dir, 'ledger.db');
  const now = Date.now();
  const results: ApiBenchRow[] = [];
  const store = await openStore({ dbPath: file, databaseUrl: options.databaseUrl });
  try {
    const seeding = performance.now();
    await seedSyntheticCalls(store, { count: rows, now, days: 30 });
    log(`seeded ${rows} calls in ${Math.round(performance.now() - seeding)} ms`);
    // What the first long-range request after a long downtime pays, once per ledger.
    const catchingUp = performance.now();
    const folded = await store.maintain(() => false);
    results.push(summarize(`rollup catch-up (${folded} new calls, once)`, rows, [performance.now() - catchingUp]));
    log(`rollup catch-up of ${folded} calls: ${Math.round(performance.now() - catchingUp)} ms`);
    const config = loadConfig({ COMETAPI_MCP_DB: file, COMETAPI_MCP_DATA_DIR: dir, COMETAPI_MCP_TZ: 'Europe/Berlin' });
    const app = createApp({ store, config, logger: silentLogger, mode: 'demo', clock: () => now });
    // Baseline: a read-only connection cannot use the rollups, so it answers from raw rows, exactly
    // as the dashboard did before them. Measured for the long ranges only (it takes seconds).
    const rawStore = options.databaseUrl ? null : openSqliteStore({ file, readonly: true });
    const rawApp =
      rawStore && createApp({ store: rawStore, config, logger: silentLogger, mode: 'demo', clock: () => now });

    for (const range of ['24h', '7d', '30d']) {
      for (const [name, url] of [
        ['summary', `/api/summary?range=${range}`],
        ['timeseries (auto bucket)', `/api/timeseries?range=${range}`],
        // +05:30: every hour or day bucket edge falls mid-hour, the worst case for rollups.
        ['timeseries (auto bucket, Asia/Kolkata)', `/api/timeseries?range=${range}&tz=Asia/Kolkata`],
        ['breakdown by model', `/api/breakdown?by=model&range=${range}`],
        ['breakdown by client', `/api/breakdown?by=client&range=${range}`],
      ] as const) {
        const times = await timeRequests(app, url, runs);
        const row = summarize(`${name} ${range}`, rows, times);
        if (rawApp && range !== '24h' && !url.includes('tz=')) {
          const raw = summarize('raw', rows, await timeRequests(rawApp, url, 3));
          row.raw_baseline_median_ms = raw.median_ms;
          row.speedup_vs_raw = `${(raw.median_ms / row.median_ms).toFixed(1)}×`;
        }
        results.push(row);
        log(
          `${name} ${range}: median ${Math.round(
            quantile(
              [...times].sort((a, b) => a - b),
              0.5,
            ),
          )} ms`,
        );
      }
    }
    await rawStore?.close();
    results.push(
      summarize('recent calls (50, 24h)', rows, await timeRequests(app, '/api/calls?limit=50&range=24h', runs)),
    );
    results.push(summarize('errors 24h', rows, await timeRequests(app, '/api/errors?range=24h', runs)));

    // /metrics reads every row once per process, then only new ones: time both.
    const metricsApp = createApp({ store, config, logger: silentLogger, mode: 'demo', clock: () => now });
    const first = performance.now();
    await (await metricsApp.request('/metrics')).arrayBuffer();
    results.push(summarize('/metrics first scrape (reads all rows)', rows, [performance.now() - first]));
    results.push(summarize('/metrics later scrape', rows, await timeRequests(metricsApp, '/metrics', runs)));

    const chromiumPath = options.chromium === undefined ? CHROMIUM : options.chromium;
    if (chromiumPath && fs.existsSync(chromiumPath)) {
      results.push(
        summarize('dashboard first render in Chromium (24h)', rows, await firstRender(store, config, chromiumPath, 3)),
      );
    } else {
      log('dashboard render not measured: Chromium not found (apt-get install -y chromium)');
    }
    return results;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatApiBench(rows: readonly ApiBenchRow[]): string {
  return markdownTable(
    rows.map((r) => ({
      scenario: r.scenario,
      'ledger rows': r.ledger_rows,
      runs: r.runs,
      'median ms': r.median_ms,
      'p95 ms': r.p95_ms,
      'raw-rows baseline median ms': r.raw_baseline_median_ms,
      'speedup vs raw': r.speedup_vs_raw,
    })),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const postgres = process.argv.includes('--postgres');
  const [rowsArg, runsArg] = process.argv.slice(2).filter((arg) => arg !== '--postgres');
  const server = postgres ? await benchPostgres() : null;
  try {
    const results = await benchApi({
      rows: rowsArg ? Number(rowsArg) : undefined,
      runs: runsArg ? Number(runsArg) : undefined,
      databaseUrl: server ? await freshDatabase(server.adminUrl) : undefined,
    });
    process.stdout.write(formatApiBench(results));
  } finally {
    server?.stop();
  }
}
