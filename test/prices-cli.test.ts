/**
 * `cometapi-mcp prices` as a process on both engines: a stored price reprices the calls since a
 * date exactly (rows and rollups), shown first and applied only when confirmed; bad input
 * changes nothing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPricesCommand } from '../src/commands/prices.js';
import { BadInputError } from '../src/errors.js';
import type { CallRow } from '../src/ledger/store.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls, ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const HOUR = 3_600_000;
const SINCE = Date.UTC(2025, 5, 2);
const at = (hours: number) => SINCE + hours * HOUR;
const RANGE = { from: Date.UTC(2025, 4, 1), to: Date.UTC(2025, 6, 1) };

function run(ledger: EngineLedger, args: string[], input = ''): Promise<{ code: number; out: string; err: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ledger.dir, COMETAPI_MCP_TZ: 'UTC', ...ledger.env };
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'prices', ...args], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, out, err })));
}

/** The seeded calls: gpt-4o-mini before and after SINCE, another model, and one with no price at all. */
const SEED = [
  { ts: at(-30), prompt_tokens: 1000, completion_tokens: 100, cost_nano_usd: 210_000 },
  { ts: at(1), prompt_tokens: 1234, completion_tokens: 567, cost_nano_usd: 525_300 },
  { ts: at(2), prompt_tokens: 10, completion_tokens: 0, cost_nano_usd: 1_500 },
  { ts: at(26), prompt_tokens: 77, completion_tokens: 33, cost_nano_usd: 31_350 },
  { ts: at(3), model_requested: 'gpt-4o', model_used: 'gpt-4o', prompt_tokens: 50, cost_nano_usd: 325_000 },
  { ts: at(4), model_requested: 'qwen3-coder-plus', model_used: 'qwen3-coder-plus', cost_nano_usd: null },
];

describe.each(ledgerEngines('prices CLI'))('prices CLI on $name', (engine) => {
  let ledger: EngineLedger;
  let ids: number[];
  const costs = async () => (await allCalls(ledger.store)).map((r: CallRow) => r.cost_nano_usd);
  const modelCosts = async () =>
    Object.fromEntries(
      (await ledger.store.queries.breakdown(RANGE, 'model')).rows.map((r) => [r.key, [r.cost_usd, r.unpriced_calls]]),
    );

  beforeEach(async () => {
    ledger = await engine.open();
    ids = await seedCalls(ledger.store, SEED);
    await ledger.store.maintain(() => false); // the rollups hold every seeded call before the reprice
  });
  afterEach(() => ledger.cleanup());

  it('shows the reprice, applies it once confirmed, and changes exactly the calls since the date', async () => {
    const before = await costs();
    const declined = await run(
      ledger,
      ['set', 'gpt-4o-mini', '--input', '0.3', '--output', '1.2', '--reprice-since', '2025-06-02'],
      'n\n',
    );
    // 1234×300 + 567×1200, 10×300, 77×300 + 33×1200 n$: $0.0010506 + $0.000003 + $0.0000627 = $0.0011163.
    expect(declined.out).toContain(
      'Reprice gpt-4o-mini since 2025-06-02T00:00:00.000Z: 3 calls: $0.00056 → $0.0011 (+$0.00056)',
    );
    expect(declined.out).toContain('Nothing was changed.');
    expect(declined.code).toBe(1);
    expect(await costs()).toEqual(before);
    expect(await ledger.store.prices.list()).toEqual([]);

    const applied = await run(
      ledger,
      ['set', 'gpt-4o-mini', '--input', '0.3', '--output', '1.2', '--reprice-since', '2025-06-02'],
      'y\n',
    );
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('Stored the price of gpt-4o-mini; repriced 3 calls');
    expect(await costs()).toEqual([210_000, 1_050_600, 3_000, 62_700, 325_000, null]);
    // The rollups moved with the rows: whole-hour slots and the odd ends give the same sums.
    expect(await modelCosts()).toEqual({
      'gpt-4o-mini': [(210_000 + 1_050_600 + 3_000 + 62_700) / 1e9, 0],
      'gpt-4o': [325_000 / 1e9, 0],
      'qwen3-coder-plus': [0, 1],
    });
    // Another process sees the stored price on its next read.
    const other = await ledger.another();
    expect((await other.prices.list()).map((o) => [o.model, o.price])).toEqual([
      ['gpt-4o-mini', { input_per_mtok: 0.3, output_per_mtok: 1.2 }],
    ]);
    expect(await other.prices.list()).toBe(await other.prices.list()); // served from its cache while unchanged
  });

  it('prices a model the table lacks, with --yes, and unset puts the calls back to unpriced', async () => {
    const set = await run(ledger, [
      'set',
      'qwen3-coder-plus',
      '--input',
      '1',
      '--output',
      '5',
      '--reprice-since',
      'all',
      '--yes',
    ]);
    expect(set.code).toBe(0);
    expect((await ledger.store.calls.get(ids[5] ?? 0))?.cost_nano_usd).toBe(10 * 1000 + 20 * 5000);
    expect((await modelCosts())['qwen3-coder-plus']).toEqual([110_000 / 1e9, 0]);
    const listed = await run(ledger, []);
    expect(listed.out).toMatch(/qwen3-coder-plus\s+1\s+5\s.*ledger \d{4}-\d{2}-\d{2}/);
    expect(listed.out).toContain('Every model in the ledger has a price.');

    const unset = await run(ledger, ['unset', 'qwen3-coder-plus', '--reprice-since', 'all', '--yes']);
    expect(unset.out).toContain('Removed the stored price of qwen3-coder-plus; repriced 1 call');
    expect((await ledger.store.calls.get(ids[5] ?? 0))?.cost_nano_usd).toBeNull();
    expect((await modelCosts())['qwen3-coder-plus']).toEqual([0, 1]);
    expect((await run(ledger, [])).out).toContain(
      'Models in the ledger without a price:\n  qwen3-coder-plus (1 unpriced call)',
    );
  });

  it.each([
    [['set', 'gpt-4o-mnii', '--input', '1'], "model 'gpt-4o-mnii' is neither in the price table nor in the ledger"],
    [['set', 'gpt-4o-mini', '--input=-0.1'], '--input must be a price in USD, zero or more'],
    [['set', 'gpt-4o-mini', '--output', 'cheap'], '--output must be a price in USD, zero or more'],
    [
      ['set', 'gpt-4o-mini', '--input', '1', '--reprice-since', '2025-13-45'],
      '--reprice-since must be a date like 2025-06-01',
    ],
    [['set', 'gpt-4o-mini'], 'give at least one price'],
    [['unset', 'gpt-4o'], "no price is stored for 'gpt-4o'"],
    [['frobnicate'], 'prices takes set, unset or nothing'],
  ])('refuses %j with a clear message and changes nothing', async (args, message) => {
    const before = await costs();
    const confirm = () => Promise.reject(new Error('must not ask'));
    const command = runPricesCommand([...args, '--yes'], ledgerConfig(ledger), () => undefined, { confirm });
    await expect(command).rejects.toThrow(BadInputError);
    await expect(command).rejects.toThrow(message);
    expect(await costs()).toEqual(before);
    expect(await ledger.store.prices.list()).toEqual([]);
  });

  it('as a process, bad input exits 2 with the message on stderr and no stack trace', async () => {
    const result = await run(ledger, ['set', 'gpt-4o-mini', '--input=-0.1', '--yes']);
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      'cometapi-mcp: --input must be a price in USD, zero or more, such as 0.15 (got "-0.1"); nothing was changed\n',
    );
    expect(await ledger.store.prices.list()).toEqual([]);
  });
});
