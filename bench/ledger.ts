/**
 * Ledger insert throughput: one row per statement in autocommit, as every metered call writes
 * it, from one process and from four processes at once on the same file (WAL, busy_timeout).
 * A batched single-process figure is given for scale.
 *
 *   npx tsx bench/ledger.ts [rows per process = 20000]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openLedger } from '../src/ledger/open.js';
import { syntheticCall } from './seed.js';
import { markdownTable } from './table.js';

export interface LedgerBenchRow {
  [column: string]: string | number;
  scenario: string;
  processes: number;
  rows: number;
  seconds: number;
  rows_per_s: number;
}

export interface LedgerBenchOptions {
  /** Rows each process inserts. */
  rows?: number;
  processes?: number;
  /** Gives up on the multi-process run after this long. */
  timeoutMs?: number;
}

const WRITER = fileURLToPath(new URL('./workers/ledger-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function row(scenario: string, processes: number, rows: number, ms: number): LedgerBenchRow {
  return { scenario, processes, rows, seconds: ms / 1000, rows_per_s: Math.round(rows / (ms / 1000)) };
}

function singleProcess(file: string, rows: number, batch: number): number {
  const ledger = openLedger(file);
  let state = 7;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const records = Array.from({ length: rows }, (_, i) => syntheticCall(Date.now() - i, random));
  const started = performance.now();
  if (batch === 1) for (const record of records) ledger.calls.insert(record);
  else for (let i = 0; i < rows; i += batch) ledger.calls.insertMany(records.slice(i, i + batch));
  const elapsed = performance.now() - started;
  ledger.close();
  return elapsed;
}

function lines(child: ChildProcessByStdio<Writable, Readable, null>, want: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ledger writer: no "${want}" within ${timeoutMs} ms`)), timeoutMs);
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (line !== want) return;
      clearTimeout(timer);
      rl.close();
      resolve();
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`ledger writer exited with ${code}`)));
  });
}

async function multiProcess(file: string, rows: number, processes: number, timeoutMs: number): Promise<number> {
  openLedger(file).close(); // migrated once, so the writers time inserts only
  const children = Array.from({ length: processes }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(rows), String(i + 1)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  try {
    await Promise.all(children.map((c) => lines(c, 'ready', timeoutMs)));
    const done = Promise.all(children.map((c) => lines(c, 'done', timeoutMs)));
    const started = performance.now();
    for (const c of children) c.stdin.write('go\n');
    await done;
    return performance.now() - started;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

export async function benchLedger(options: LedgerBenchOptions = {}): Promise<LedgerBenchRow[]> {
  const rows = options.rows ?? 20_000;
  const processes = options.processes ?? 4;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ledger-'));
  try {
    const single = singleProcess(path.join(dir, 'single.db'), rows, 1);
    const batched = singleProcess(path.join(dir, 'batched.db'), rows, 1000);
    const multiFile = path.join(dir, 'multi.db');
    const multi = await multiProcess(multiFile, rows, processes, options.timeoutMs ?? 120_000);
    const check = openLedger(multiFile);
    const total = check.calls.count();
    check.close();
    if (total !== rows * processes)
      throw new Error(`multi-process run wrote ${total} rows, expected ${rows * processes}`);
    return [
      row('single process, one row per insert (metering path)', 1, rows, single),
      row(`${processes} processes at once, one row per insert`, processes, rows * processes, multi),
      row('single process, 1,000 rows per transaction (for scale)', 1, rows, batched),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.argv[2] ?? 20_000);
  process.stdout.write(markdownTable(await benchLedger({ rows })));
}
