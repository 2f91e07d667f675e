/**
 * One of several processes inserting into the same ledger for bench/ledger.ts. Prepares its rows,
 * prints "ready", waits for a line on stdin so all writers start together, inserts one row per
 * statement (as the metering path does), then prints "done".
 *
 *   node --import tsx bench/workers/ledger-writer.ts <ledger file> <rows> <seed>
 */
import readline from 'node:readline';
import { openLedger } from '../../src/ledger/open.js';
import { syntheticCall } from '../seed.js';

const [file, rowsArg, seedArg] = process.argv.slice(2);
const rows = Number(rowsArg);
if (!file || !Number.isInteger(rows) || rows < 1 || rows > 10_000_000) {
  process.stderr.write('usage: ledger-writer <ledger file> <rows> <seed>\n');
  process.exit(2);
}
let state = Number(seedArg) || 1;
const random = (): number => {
  state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
  return state / 2_147_483_648;
};
const now = Date.now();
const records = Array.from({ length: rows }, (_, i) => syntheticCall(now - i, random));
const ledger = openLedger(file);
process.stdout.write('ready\n');
readline.createInterface({ input: process.stdin }).once('line', () => {
  for (const record of records) ledger.calls.insert(record);
  ledger.close();
  process.stdout.write('done\n');
  process.exit(0);
});
