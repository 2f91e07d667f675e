import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import type { ModelPrice } from '../upstream/prices.js';
import { formatPriceTable, formatReprice, formatUnpriced } from '../prices/format.js';
import { applyPrice, PRICE_FLAGS, previewPrice, priceValue, type PriceRequest } from '../prices/manage.js';
import { createPriceBook } from '../upstream/price-book.js';
import { createPriceTable } from '../upstream/prices.js';
import { parseSince } from '../time.js';

export const PRICES_HELP = `cometapi-mcp prices [--json] [--db FILE|postgres://…]
  cometapi-mcp prices set MODEL [--input USD] [--output USD] [--cached USD] [--cache-write USD]   (per million tokens)
                              [--per-image USD] [--per-request USD] [--per-mchar USD] [--per-minute USD]
                              [--reprice-since DATE [--yes]] [--db …]
  cometapi-mcp prices unset MODEL [--reprice-since DATE [--yes]] [--db …]`;

const FLAG_OPTIONS = Object.fromEntries(Object.keys(PRICE_FLAGS).map((flag) => [flag, { type: 'string' as const }]));

export interface PricesCommandDeps {
  now?: number;
  /** Asked before a reprice is applied without --yes. */
  confirm: (question: string) => Promise<boolean>;
}

function parseRepriceSince(text: string | undefined, now: number, timeZone: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSince(text, now, timeZone);
  } catch {
    throw new BadInputError(
      `--reprice-since must be a date like 2025-06-01 (or 7d, month, all); got "${text.slice(0, 40)}". Nothing was changed`,
    );
  }
}

function priceFrom(values: Record<string, unknown>): ModelPrice {
  const price: ModelPrice = {};
  for (const [flag, field] of Object.entries(PRICE_FLAGS)) {
    if (values[flag] !== undefined) price[field] = priceValue(`--${flag}`, values[flag]);
  }
  if (Object.keys(price).length === 0) {
    throw new BadInputError(`give at least one price, such as --input 0.15 --output 0.6.\nUsage: ${PRICES_HELP}`);
  }
  return price;
}

/** `prices`, `prices set`, `prices unset`. A reprice is shown first and applied once confirmed. */
export async function runPricesCommand(
  argv: string[],
  config: Config,
  write: (text: string) => void,
  deps: PricesCommandDeps,
): Promise<number> {
  const now = deps.now ?? Date.now();
  const [action, ...rest] = argv;
  const changing = action === 'set' || action === 'unset';
  if (action !== undefined && !changing && !action.startsWith('--')) {
    throw new BadInputError(`prices takes set, unset or nothing (got "${action}").\nUsage: ${PRICES_HELP}`);
  }
  const { values, positionals } = parseArgs({
    args: changing ? rest : argv,
    options: {
      ...(action === 'set' && FLAG_OPTIONS),
      'reprice-since': { type: 'string' },
      yes: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
    allowPositionals: changing,
    strict: true,
  });
  const model = positionals[0];
  if (changing && (!model || positionals.length > 1)) {
    throw new BadInputError(`name one model: cometapi-mcp prices ${action} MODEL …\nUsage: ${PRICES_HELP}`);
  }
  const price = action === 'set' ? priceFrom(values) : null;
  const since = parseRepriceSince(values['reprice-since'], now, config.timeZone);
  const store = await openStore(ledgerOptions(config, values.db));
  try {
    const book = createPriceBook(createPriceTable(config.pricesFile), () => store.prices.list());
    if (!changing || !model) {
      const [prices, stored, seen] = await Promise.all([
        book.current(),
        store.prices.list(),
        store.prices.seenModels(),
      ]);
      if (values.json)
        write(JSON.stringify({ source: prices.source, as_of: prices.asOf, stored, seen }, null, 2) + '\n');
      else write(`${formatPriceTable(prices, stored)}\n\n${formatUnpriced(prices, seen)}\n`);
      return 0;
    }
    if (!price && !(await store.prices.list()).some((o) => o.model === model)) {
      throw new BadInputError(
        `no price is stored for '${model}' (\`cometapi-mcp prices\` shows what is); nothing was changed`,
      );
    }
    const request: PriceRequest = { model, price, ...(since !== undefined && { since }) };
    const preview = await previewPrice(store, book, request, now);
    if (preview) {
      write(`Reprice ${model} since ${new Date(request.since ?? 0).toISOString()}: ${formatReprice(preview)}\n`);
      if (!values.yes && !(await deps.confirm('Apply?'))) {
        write('Nothing was changed.\n');
        return 1;
      }
    }
    const applied = await applyPrice(store, book, request, now);
    const what = price ? `Stored the price of ${model}` : `Removed the stored price of ${model}`;
    write(`${what}${applied ? `; repriced ${formatReprice(applied)}` : ''}.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
