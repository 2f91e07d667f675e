/** The `prices` command's text: the table in use, unpriced models, and a reprice's before and after. */
import { usdFromNano } from '../ledger/calls.js';
import type { PriceOverride, RepriceTotals, SeenModel } from '../ledger/store.js';
import type { ModelPrice, PriceTable } from '../upstream/prices.js';
import { formatUsd } from '../usage-format.js';
import { PRICE_FLAGS } from './manage.js';

const HEADINGS: Record<keyof typeof PRICE_FLAGS, string> = {
  input: 'input/Mtok',
  output: 'output/Mtok',
  cached: 'cached/Mtok',
  'cache-write': 'cache write/Mtok',
  'per-image': 'per image',
  'per-request': 'per request',
  'per-mchar': 'per Mchar',
  'per-minute': 'audio/min',
};

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Every model's price per token kind (only the kinds some model has), and where it came from. */
export function formatPriceTable(prices: PriceTable, stored: readonly PriceOverride[]): string {
  const flags = (Object.keys(PRICE_FLAGS) as (keyof typeof PRICE_FLAGS)[]).filter((flag) =>
    prices.models().some((m) => prices.price(m)?.[PRICE_FLAGS[flag]] !== undefined),
  );
  const storedAt = new Map(stored.map((o) => [o.model, o.updated_at]));
  const cell = (p: ModelPrice | undefined, flag: keyof typeof PRICE_FLAGS) => {
    const value = p?.[PRICE_FLAGS[flag]];
    return value === undefined ? '–' : String(value);
  };
  const rows = [...prices.models()].sort().map((model) => {
    const at = storedAt.get(model);
    const from = at === undefined ? 'table' : `ledger ${new Date(at).toISOString().slice(0, 10)}`;
    return [model, ...flags.map((flag) => cell(prices.price(model), flag)), from];
  });
  return (
    `Prices in use (USD; as of ${prices.asOf}). ${prices.source}\n\n` +
    table([['model', ...flags.map((flag) => HEADINGS[flag]), 'from'], ...rows])
  );
}

/** The models calls were recorded under that the table cannot price. */
export function formatUnpriced(prices: PriceTable, seen: readonly SeenModel[]): string {
  const missing = seen.filter((s) => s.unpriced > 0 && !prices.price(s.model));
  if (missing.length === 0) return 'Every model in the ledger has a price.';
  const list = missing.map((s) => `  ${s.model} (${s.unpriced} unpriced call${s.unpriced === 1 ? '' : 's'})`);
  return (
    `Models in the ledger without a price:\n${list.join('\n')}\n` +
    'Set one with: cometapi-mcp prices set MODEL --input USD_PER_MTOK --output USD_PER_MTOK'
  );
}

const unpriced = (n: number) => (n > 0 ? ` + ${n} unpriced` : '');

/** "3 calls: $0.0045 → $0.009 (+$0.0045)". */
export function formatReprice(totals: RepriceTotals): string {
  const before = formatUsd(usdFromNano(totals.old_nano_usd)) + unpriced(totals.old_unpriced);
  const after = formatUsd(usdFromNano(totals.new_nano_usd)) + unpriced(totals.new_unpriced);
  const delta = totals.new_nano_usd - totals.old_nano_usd;
  const sign = delta < 0 ? '-' : '+';
  return `${totals.calls} call${totals.calls === 1 ? '' : 's'}: ${before} → ${after} (${sign}${formatUsd(usdFromNano(Math.abs(delta)))})`;
}
