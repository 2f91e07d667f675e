import type { PriceOverride } from '../ledger/prices.js';
import { withStoredPrices, type PriceTable } from './prices.js';

/**
 * The prices in use: the configured table with the ledger's stored prices over it. current() asks
 * the store for its cached list (re-read only when some process changed it) and rebuilds the
 * table only when that list changed, so the call path does no query of its own for prices.
 */
export interface PriceBook {
  readonly base: PriceTable;
  current(): Promise<PriceTable>;
}

export function createPriceBook(base: PriceTable, stored: () => Promise<readonly PriceOverride[]>): PriceBook {
  let built: { from: readonly PriceOverride[]; table: PriceTable } | null = null;
  return {
    base,
    async current() {
      const list = await stored();
      if (built?.from !== list) built = { from: list, table: withStoredPrices(base, list) };
      return built.table;
    },
  };
}
