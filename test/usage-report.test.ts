import { afterEach, describe, expect, it } from 'vitest';
import { runUsageCommand } from '../src/commands/usage.js';
import { formatUsageCsv, formatUsageTable } from '../src/usage-format.js';
import { ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const ENGINES = ledgerEngines('usage report tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let temp: EngineLedger;
  afterEach(() => temp.cleanup());

  const at = (iso: string) => Date.parse(iso);

  describe('usage report', () => {
    it('groups days in the user zone, counts unpriced calls apart, and totals exactly', async () => {
      temp = await engine.open();
      await seedCalls(temp.store, [
        // 23:30 and 00:30 in Tokyo fall on different local days, though on the same UTC day.
        {
          ts: at('2025-06-01T14:30:00Z'),
          model_used: 'gpt-4o',
          prompt_tokens: 10,
          completion_tokens: 5,
          cost_nano_usd: 1_500_000,
        },
        {
          ts: at('2025-06-01T15:30:00Z'),
          model_used: 'gpt-4o',
          prompt_tokens: 20,
          completion_tokens: 7,
          cost_nano_usd: 2_000_000,
        },
        {
          ts: at('2025-06-01T15:45:00Z'),
          model_used: 'mystery-model',
          prompt_tokens: 3,
          completion_tokens: 4,
          cost_nano_usd: null,
        },
        {
          ts: at('2025-06-01T16:00:00Z'),
          model_used: null,
          model_requested: 'gpt-5x',
          status: 'error',
          prompt_tokens: 0,
          completion_tokens: 0,
          cost_nano_usd: null,
        },
      ]);
      const range = { since: at('2025-06-01T00:00:00Z'), until: at('2025-06-03T00:00:00Z'), timeZone: 'Asia/Tokyo' };
      const byDay = await temp.store.queries.usageReport({ ...range, by: 'day' });
      expect(byDay.rows.map((r) => [r.key, r.requests])).toEqual([
        ['2025-06-01', 1],
        ['2025-06-02', 3],
      ]);
      const byModel = await temp.store.queries.usageReport({ ...range, by: 'model' });
      expect(byModel.total).toMatchObject({
        requests: 4,
        errors: 1,
        prompt_tokens: 33,
        completion_tokens: 16,
        unpriced_calls: 1,
      });
      expect(byModel.total.cost_usd).toBeCloseTo(0.0035, 12);
      expect(Object.fromEntries(byModel.rows.map((r) => [r.key, r.requests]))).toEqual({
        'gpt-4o': 2,
        'mystery-model': 1,
        'gpt-5x': 1,
      });
      const table = formatUsageTable(byModel);
      expect(table).toContain('(+1 unpriced)');
      expect(table).toContain('1 call(s) used models with no known price');
      expect(formatUsageCsv(byModel).split('\n')[0]).toBe(
        'model,requests,errors,blocked,prompt_tokens,completion_tokens,cost_usd,unpriced_calls,estimated_calls',
      );
    });

    it('quotes CSV cells that need it, and the CLI prints JSON the same report gives', async () => {
      temp = await engine.open();
      await seedCalls(temp.store, [{ ts: Date.now() - 1000, client: 'Client, "quoted"', prompt_tokens: 9 }]);
      let out = '';
      await runUsageCommand(['--since', '24h', '--by', 'client', '--csv'], ledgerConfig(temp), (t) => (out += t));
      expect(out.split('\n')[1]?.startsWith('"Client, ""quoted""",1,')).toBe(true);
      out = '';
      await runUsageCommand(['--since', '24h', '--by', 'client', '--json'], ledgerConfig(temp), (t) => (out += t));
      expect(JSON.parse(out)).toMatchObject({ by: 'client', total: { requests: 1, prompt_tokens: 9 } });
      await expect(runUsageCommand(['--by', 'colour'], ledgerConfig(temp), () => undefined)).rejects.toThrow(
        /--by must be one of model, tool, client/,
      );
    });
  });
});
