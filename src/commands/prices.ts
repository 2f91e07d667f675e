import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import { formatPriceTable, formatReprice, formatUnpriced } from '../prices/format.js';
import {
  applyPrice,
  parsePrice,
  parseRepriceSince,
  PRICE_FLAGS,
  previewPrice,
  type PriceRequest,
} from '../prices/manage.js';
import { createPriceBook } from '../upstream/price-book.js';
import { createPriceTable } from '../upstream/prices.js';

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

const FLAG_OF = Object.fromEntries(Object.entries(PRICE_FLAGS).map(([flag, field]) => [field, flag]));

/** The flags given, by price field. */
const fieldsOf = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(PRICE_FLAGS).map(([flag, field]) => [field, values[flag]]));

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
  const price = action === 'set' ? parsePrice(fieldsOf(values), (field) => `--${FLAG_OF[field]}`) : null;
  const sinceText = values['reprice-since'];
  const since =
    sinceText === undefined ? undefined : parseRepriceSince(sinceText, now, config.timeZone, '--reprice-since');
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
