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
      'One non-streamed chat through `metering.run` (routing, retries wrapper, price, ledger insert) versus the same call made directly with the `openai` package, alternating, against the same simulated upstream (latency 0). Target: ≤ 1 ms added at p50.',
    run: () => benchMetering({ calls: 2000, timeBudgetMs: 60_000 }),
  },
  {
    title: 'Ledger inserts per second',
    about:
      'One row per autocommit insert, as every metered call writes it (WAL, synchronous=NORMAL), from one process and from four at once on the same file; 1,000 rows per transaction for scale. Target: ≥ 20,000 rows/s single-process.',
    run: () => benchLedger({ rows: 20_000, processes: 4 }),
  },
  {
    title: 'Metering proxy (/v1) versus direct and the Portkey gateway',
    about:
      'Non-streamed chat to the same simulated upstream: direct, through our proxy, and through `@portkey-ai/gateway` (Hono on Node, no logging); then 1,000 concurrent streamed chats through the proxy. Targets: p50 added ≤ 1 ms, p99 ≤ 5 ms, throughput ≥ Portkey, no call lost, RSS < 250 MB.',
    run: () => benchProxy(),
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
