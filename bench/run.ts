/**
 * `npm run bench`: every benchmark in one run, each against its own baseline measured in the
 * same run, written to BENCHMARKS.md. Bounded: each part caps its request count and time.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchApi } from './api.js';
import { benchLedger } from './ledger.js';
import { benchMetering } from './metering.js';
import { benchProxy } from './proxy.js';
import { markdownTable } from './table.js';

const OUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Part {
  title: string;
  about: string;
  run: () => Promise<readonly Record<string, string | number | null>[]>;
}

const PARTS: Part[] = [
  {
    title: 'Metering-path overhead per call',
    about:
      'One chat through `metering.run` (routing, retries wrapper, price, ledger insert) versus the same call made directly with the `openai` package, and once more as a call in an MCP session (its session id on the row, counted by the loop guard, checked against a hard `--scope session` quota before and after), rotating call by call against the same simulated upstream (latency 0). Target: ≤ 1 ms added at p50, with the guard and session quotas on.',
    run: () => benchMetering({ calls: 2000, timeBudgetMs: 60_000 }),
  },
  {
    title: 'Ledger writer: rows per second',
    about:
      "`store.calls.record()` from one process with 256 and 1,000 calls in flight, each awaited until its group commit has committed, against the old path measured in the same run (one autocommit better-sqlite3 insert per row, WAL, synchronous=NORMAL); then 4 processes on one file through `record()`. rows_on_disk is the file's row count after the writers closed. Each scenario: at most 200,000 rows and 6 s (12 s for 4 processes). Targets: ≥ 50,000 rows/s single process; 4 processes: rows_on_disk = rows_acked, zero SQLITE_BUSY.",
    run: () => benchLedger({ rows: 200_000, budgetMs: 6_000, processes: 4 }),
  },
  {
    title: 'Metering proxy (/v1) versus direct, a lean proxy and the Portkey gateway',
    about:
      'Non-streamed chats to the same simulated upstream (latency 0): direct; a ~40-line lean proxy (bench/lean-proxy.ts: node:http + undici Pool + one better-sqlite3 row per call, WAL/NORMAL); our proxy as `cometapi-mcp serve`; and `@portkey-ai/gateway` (no logging). Each server and each load run is its own process; load by autocannon (closed loop, 5 s per target after a 1 s warm-up), latencies per response. Then a fixed 1,000 req/s for 20 s (open loop, latency from when each request was due), direct and through the proxy, and 1,000 concurrent streamed chats through the proxy. failed counts non-2xx, socket errors and, for the proxy, 2xx answers with no ok ledger row. Targets: at 50 conns ≥ 4× Portkey and ≥ 0.8× lean; at 1 conn added p50 ≤ 0.35 ms; fixed rate: no error, p99 ≤ 2× direct.',
    run: () => benchProxy({ seconds: 5, connections: 50, fixedRate: 1000, fixedSeconds: 20 }),
  },
  {
    title: 'Dashboard API over a 1,000,000-call ledger',
    about:
      "`/api/summary`, `/api/timeseries` and `/api/breakdown` through `app.request()`, and the page's first render in headless Chromium. Target: each < 50 ms, first render < 1 s.",
    run: () => benchApi({ rows: 1_000_000, log }),
  },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const sections: string[] = [];
  for (const part of PARTS) {
    if (only.length > 0 && !only.some((word) => part.title.toLowerCase().includes(word.toLowerCase()))) continue;
    log(`${part.title}…`);
    const started = performance.now();
    try {
      const rows = await part.run();
      sections.push(
        `## ${part.title}\n\n${part.about}\n\n${markdownTable(rows)}\n_(${((performance.now() - started) / 1000).toFixed(0)} s)_\n`,
      );
    } catch (error) {
      sections.push(`## ${part.title}\n\nFailed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header =
    `# Benchmarks\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}. Every figure comes from this run; ` +
    'ratios compare with a baseline measured in the same run. Network: 127.0.0.1 only.\n';
  fs.writeFileSync(OUT, [header, ...sections].join('\n'));
  log(`wrote ${OUT}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
