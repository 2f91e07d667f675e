/**
 * Figures for docs/decisions/0019-postgres-engine.md, measured outside the tests:
 *   npx tsx test/postgres/measure.ts postgres://postgres@127.0.0.1:55432/some_empty_db [rows]
 * Prints rows/s of recordMany and of concurrent record(), then median ms of dashboard queries.
 */
import { performance } from 'node:perf_hooks';
import { openPostgresStore } from '../../src/ledger/postgres/store.js';
import { randomRecords } from './rows.js';

const DAY = 86_400_000;
const url = process.argv[2];
const total = Number(process.argv[3] ?? 1_000_000);
if (!url) throw new Error('usage: measure.ts <postgres url of an empty database> [rows]');
const out = (line: string) => process.stdout.write(`${line}\n`);

const store = await openPostgresStore({ url });
const end = Date.UTC(2025, 5, 30);
const span = { from: end - 30 * DAY, to: end };

let t = performance.now();
// rows = 0 measures the queries alone, on a database seeded before.
for (let seeded = 0; seeded < total; seeded += 5000) {
  await store.calls.recordMany(randomRecords(Math.min(5000, total - seeded), seeded, span));
}
if (total > 0) out(`recordMany (5000 a batch): ${Math.round(total / ((performance.now() - t) / 1000))} rows/s`);

for (const inFlight of total > 0 ? [1, 50, 500] : []) {
  const rows = randomRecords(inFlight === 1 ? 500 : 10_000, 1, span);
  t = performance.now();
  for (let i = 0; i < rows.length; i += inFlight)
    await Promise.all(rows.slice(i, i + inFlight).map((r) => store.calls.record(r)));
  out(`record(), ${inFlight} in flight: ${Math.round(rows.length / ((performance.now() - t) / 1000))} rows/s`);
}

async function median(name: string, run: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const s = performance.now();
    await run();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  out(`${name}: ${times[4]?.toFixed(1)} ms median`);
}
for (const [label, days] of [
  ['24h', 1],
  ['7d', 7],
  ['30d', 30],
] as const) {
  const range = { from: end - days * DAY, to: end };
  await median(`summary ${label}`, () => store.queries.summary(range));
  await median(`timeseries ${label}`, () => store.queries.timeseries(range, days === 1 ? '5m' : '1h', 'Europe/Berlin'));
  await median(`breakdown by model ${label}`, () => store.queries.breakdown(range, 'model'));
}
await store.close();
