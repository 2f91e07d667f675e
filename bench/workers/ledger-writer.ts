/**
 * One of several processes writing the same ledger for bench/ledger.ts. Prepares its rows, prints
 * "ready", waits for a line on stdin so all writers start together, writes them through
 * `store.calls.record()` with <in flight> awaits pending at once, closes the store (every
 * acknowledged row is committed by then), and prints "done " and its RecordLoadResult as JSON.
 *
 *   node --import tsx bench/workers/ledger-writer.ts <ledger file> <rows> <seed> <in flight> <budget ms>
 */
import readline from 'node:readline';
import { seededRandom } from '../../src/random.js';
import { openSqliteStore } from '../../src/ledger/sqlite/store.js';
import { recordConcurrently } from '../record-load.js';
import { syntheticCall } from '../seed.js';

const [file, rowsArg, seedArg, inFlightArg, budgetArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const inFlight = Number(inFlightArg);
const budgetMs = Number(budgetArg);
if (!file || !Number.isInteger(rows) || rows < 1 || rows > 10_000_000 || !(inFlight >= 1) || !(budgetMs > 0)) {
  process.stderr.write('usage: ledger-writer <ledger file> <rows> <seed> <in flight> <budget ms>\n');
  process.exit(2);
}
const random = seededRandom(Number(seedArg) || 1);
const now = Date.now();
const records = Array.from({ length: rows }, (_, i) => syntheticCall(now - i, random));
const store = openSqliteStore({ file });
process.stdout.write('ready\n');
readline.createInterface({ input: process.stdin }).once('line', () => {
  void (async () => {
    const result = await recordConcurrently(store, records, inFlight, budgetMs);
    await store.close();
    process.stdout.write(`done ${JSON.stringify(result)}\n`);
    process.exit(0);
  })();
});
