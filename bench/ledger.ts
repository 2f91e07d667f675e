/**
 * Ledger writer throughput. The store's `calls.record()` from one process with many calls in
 * flight at once (as a busy proxy has them), each awaited until its group commit has committed,
 * against the old write path measured in the same run: one autocommit better-sqlite3 insert per
 * row (WAL, synchronous=NORMAL, prepared statement). Then several processes at once on one file
 * through `record()`: the rows read back must equal the rows acknowledged, with no SQLITE_BUSY.
 * Every scenario is bounded by a row count and a time budget, on a fresh file.
 *
 *   npx tsx bench/ledger.ts [rows = 200000]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { CALL_COLUMNS, OMITTED_COLUMN_VALUES } from '../src/ledger/calls.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { CallRecord } from '../src/ledger/store.js';
import { seededRandom } from '../src/random.js';
import { recordConcurrently, type RecordLoadResult } from './record-load.js';
import { syntheticCall } from './seed.js';
import { markdownTable } from './table.js';

export interface LedgerBenchRow {
  [column: string]: string | number;
  scenario: string;
  processes: number;
  in_flight: number;
  rows_acked: number;
  /** COUNT(*) of the file after the writers closed: must equal rows_acked. */
  rows_on_disk: number;
  sqlite_busy: number;
  seconds: number;
  rows_per_s: number;
  vs_baseline: string;
}

export interface LedgerBenchOptions {
  /** Rows at most per single-process scenario (and in all for the multi-process one). */
  rows?: number;
  /** Time budget per scenario. */
  budgetMs?: number;
  inFlight?: readonly number[];
  processes?: number;
  /** Gives up on the multi-process run after this long. */
  timeoutMs?: number;
}

const WRITER = fileURLToPath(new URL('./workers/ledger-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The old write path: one prepared autocommit INSERT per row, straight on better-sqlite3. */
async function autocommitBaseline(
  file: string,
  records: readonly CallRecord[],
  budgetMs: number,
): Promise<RecordLoadResult> {
  await openSqliteStore({ file }).close(); // the same schema and indexes as the store writes
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`,
  );
  const params = (record: CallRecord) =>
    CALL_COLUMNS.map((column) => {
      const value = record[column];
      if (value === undefined) return OMITTED_COLUMN_VALUES[column] ?? null;
      return typeof value === 'boolean' ? Number(value) : value;
    });
  const started = performance.now();
  const deadline = started + budgetMs;
  let acked = 0;
  for (const record of records) {
    if (performance.now() >= deadline) break;
    insert.run(params(record));
    acked++;
  }
  const ms = performance.now() - started;
  db.close();
  return { acked, failed: 0, busy: 0, firstError: null, ms };
}

function rowsIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], number>('SELECT COUNT(*) FROM calls').pluck().get() ?? 0;
  } finally {
    db.close();
  }
}

async function storeRecord(file: string, records: readonly CallRecord[], inFlight: number, budgetMs: number) {
  const store = openSqliteStore({ file });
  const result = await recordConcurrently(store, records, inFlight, budgetMs);
  await store.close();
  return result;
}

type Writer = ChildProcessByStdio<Writable, Readable, null>;

/** Resolves with the rest of the first stdout line starting with `prefix`. */
function lineFrom(child: Writer, prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ledger writer: no "${prefix}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      rl.close();
      resolve(line.slice(prefix.length));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`ledger writer exited with ${code}`)));
  });
}

async function multiProcess(
  file: string,
  rows: number,
  processes: number,
  inFlight: number,
  budgetMs: number,
  timeoutMs: number,
) {
  await openSqliteStore({ file }).close(); // migrated once, so the writers time their writes only
  const args = (i: number) => [
    WRITER,
    file,
    String(Math.ceil(rows / processes)),
    String(i + 1),
    String(inFlight),
    String(budgetMs),
  ];
  const children: Writer[] = Array.from({ length: processes }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', ...args(i)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  try {
    await Promise.all(children.map((c) => lineFrom(c, 'ready', timeoutMs)));
    const done = Promise.all(children.map((c) => lineFrom(c, 'done ', timeoutMs)));
    const started = performance.now();
    for (const c of children) c.stdin.write('go\n');
    const results = (await done).map((json) => JSON.parse(json) as RecordLoadResult);
    const total = (key: 'acked' | 'failed' | 'busy') => results.reduce((sum, r) => sum + r[key], 0);
    const firstError = results.find((r) => r.firstError)?.firstError ?? null;
    return {
      acked: total('acked'),
      failed: total('failed'),
      busy: total('busy'),
      firstError,
      ms: performance.now() - started,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

export async function benchLedger(options: LedgerBenchOptions = {}): Promise<LedgerBenchRow[]> {
  const rows = options.rows ?? 200_000;
  const budgetMs = options.budgetMs ?? 6_000;
  const processes = options.processes ?? 4;
  const random = seededRandom(7);
  const now = Date.now();
  const records = Array.from({ length: rows }, (_, i) => syntheticCall(now - i, random));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ledger-'));
  const file = (name: string) => path.join(dir, `${name}.db`);
  try {
    const measured: {
      scenario: string;
      processes: number;
      inFlight: number;
      file: string;
      result: RecordLoadResult;
    }[] = [];
    const add = (scenario: string, n: number, inFlight: number, name: string, result: RecordLoadResult) => {
      if (result.firstError)
        process.stderr.write(`${scenario}: ${result.failed} failed, first: ${result.firstError}\n`);
      measured.push({ scenario, processes: n, inFlight, file: file(name), result });
    };
    add(
      'baseline: one autocommit better-sqlite3 insert per row',
      1,
      1,
      'baseline',
      await autocommitBaseline(file('baseline'), records, budgetMs),
    );
    for (const inFlight of options.inFlight ?? [256, 1000])
      add(
        'store.calls.record(), group commit',
        1,
        inFlight,
        `record-${inFlight}`,
        await storeRecord(file(`record-${inFlight}`), records, inFlight, budgetMs),
      );
    const multiFlight = 256;
    add(
      `${processes} processes on one file, store.calls.record()`,
      processes,
      multiFlight,
      'multi',
      await multiProcess(file('multi'), rows, processes, multiFlight, budgetMs * 2, options.timeoutMs ?? 120_000),
    );
    const rate = (r: RecordLoadResult) => r.acked / (r.ms / 1000);
    const baseline = rate(measured[0]?.result ?? { acked: 0, failed: 0, busy: 0, firstError: null, ms: 1 });
    return measured.map(({ scenario, processes: n, inFlight, file: db, result }) => {
      const onDisk = rowsIn(db);
      if (onDisk !== result.acked)
        throw new Error(`${scenario}: ${result.acked} rows acknowledged but ${onDisk} in the file`);
      return {
        scenario,
        processes: n,
        in_flight: inFlight,
        rows_acked: result.acked,
        rows_on_disk: onDisk,
        sqlite_busy: result.busy,
        seconds: result.ms / 1000,
        rows_per_s: Math.round(rate(result)),
        vs_baseline: `${(rate(result) / baseline).toFixed(2)}×`,
      };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.argv[2] ?? 200_000);
  process.stdout.write(markdownTable(await benchLedger({ rows })));
}
