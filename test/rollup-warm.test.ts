import { afterEach, expect, it } from 'vitest';
import { seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';

let temp: TempLedger;
afterEach(() => temp.cleanup());

const watermark = () =>
  temp.sql.prepare<[], number>('SELECT last_call_id FROM call_rollup_watermark WHERE id = 1').pluck().get();

it('folds the backlog in the background and then has nothing left to do', async () => {
  temp = tempLedger();
  const now = Date.now();
  const ids = await seedCalls(
    temp.store,
    Array.from({ length: 300 }, (_, i) => ({ ts: now - i * 60_000 })),
  );
  expect(await temp.store.maintain(() => true)).toBe(0);
  expect(watermark()).toBe(0);
  expect(await temp.store.maintain(() => false)).toBe(300);
  expect(watermark()).toBe(Math.max(...ids));
  expect(await temp.store.maintain(() => false)).toBe(0);
  const total = temp.sql.prepare<[], number>("SELECT SUM(requests) FROM call_rollups WHERE dim = 'all'").pluck().get();
  expect(total).toBe(300);
});
