/**
 * Setting a model's price in the ledger and repricing its recorded calls: what `cometapi-mcp prices`
 * and the dashboard's Prices panel share. Nothing is written unless the whole request is valid.
 */
import { BadInputError } from '../errors.js';
import { addToTotals, emptyTotals } from '../ledger/prices.js';
import { parseSince } from '../time.js';
import type { LedgerStore, PricedCall, PriceOverride, RepriceTotals } from '../ledger/store.js';
import type { PriceBook } from '../upstream/price-book.js';
import { firstPricedCost, withStoredPrices, type ModelPrice, type PriceTable } from '../upstream/prices.js';

/** The price fields, as the CLI's flags name them (the API uses the field names themselves). */
export const PRICE_FLAGS = {
  input: 'input_per_mtok',
  output: 'output_per_mtok',
  cached: 'cached_input_per_mtok',
  'cache-write': 'cache_write_per_mtok',
  'per-image': 'per_image',
  'per-request': 'per_request',
  'per-mchar': 'per_mchar',
  'per-minute': 'per_minute',
} as const satisfies Record<string, keyof ModelPrice>;
export const PRICE_FIELDS = Object.values(PRICE_FLAGS);

/** A change to one model's stored price; `price: null` removes it. */
export interface PriceRequest {
  model: string;
  price: ModelPrice | null;
  /** Reprice the model's calls recorded since then (ms). */
  since?: number;
}

/** A price field's value: a finite number of USD, zero or more. `name` is the flag or field to fix. */
export function priceValue(name: string, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
    throw new BadInputError(
      `${name} must be a price in USD, zero or more, such as 0.15 (got ${JSON.stringify(value)}); nothing was changed`,
      'bad_price',
    );
  }
  return number;
}

/** The price fields given (each named as the caller spells it, for the message); at least one. */
export function parsePrice(
  values: Partial<Record<keyof ModelPrice, unknown>>,
  nameOf: (field: string) => string,
): ModelPrice {
  const price: ModelPrice = {};
  for (const field of PRICE_FIELDS) {
    if (values[field] !== undefined) price[field] = priceValue(nameOf(field), values[field]);
  }
  if (Object.keys(price).length === 0) {
    throw new BadInputError(
      `give at least one price, such as ${nameOf('input_per_mtok')} 0.15 (USD per million tokens); nothing was changed`,
      'bad_price',
    );
  }
  return price;
}

/** Since when to reprice: a date like 2025-06-01 in the ledger's zone (or 7d, month, all). */
export function parseRepriceSince(text: string, now: number, timeZone: string, name: string): number {
  try {
    return parseSince(text, now, timeZone);
  } catch {
    throw new BadInputError(
      `${name} must be a date like 2025-06-01 (or 7d, month, all); got "${text.slice(0, 40)}". Nothing was changed`,
      'bad_date',
    );
  }
}

/** A model the price table knows or calls in the ledger used; anything else is most likely a typo. */
export async function checkModel(store: LedgerStore, table: PriceTable, model: string): Promise<void> {
  if (model.trim() === '') throw new BadInputError('name the model to price, such as gpt-4o-mini', 'unknown_model');
  if (table.price(model)) return;
  if ((await store.prices.seenModels()).some((seen) => seen.model === model)) return;
  throw new BadInputError(
    `model '${model}' is neither in the price table nor in the ledger; nothing was changed. ` +
      '`cometapi-mcp prices` lists both (check the spelling)',
    'unknown_model',
  );
}

/** The stored prices after the request: its fields over what was stored for the model before. */
function storedAfter(stored: readonly PriceOverride[], request: PriceRequest, now: number): PriceOverride[] {
  const others = stored.filter((o) => o.model !== request.model);
  if (!request.price) return others;
  const before = stored.find((o) => o.model === request.model)?.price;
  return [...others, { model: request.model, price: { ...before, ...request.price }, updated_at: now }];
}

const usageOf = (call: PricedCall) => ({
  prompt_tokens: call.prompt_tokens,
  completion_tokens: call.completion_tokens,
  cached_tokens: call.cached_tokens,
  cache_write_tokens: call.cache_write_tokens,
  images: call.images,
  characters: call.input_chars,
  audio_seconds: call.audio_seconds ?? 0,
});

/** A call's cost under a table, priced by the same names the metering path tries. */
const costUnder = (table: PriceTable) => (call: PricedCall) =>
  firstPricedCost(table, usageOf(call), [call.model_used, call.model_requested]);

/** The model checked, and the stored prices and the table as they would be after the request. */
async function tableAfter(store: LedgerStore, book: PriceBook, request: PriceRequest, now: number) {
  await checkModel(store, await book.current(), request.model);
  const stored = storedAfter(await store.prices.list(), request, now);
  return { stored, table: withStoredPrices(book.base, stored) };
}

/** What the request would change, writing nothing: the reprice's totals (null without a date). */
export async function previewPrice(store: LedgerStore, book: PriceBook, request: PriceRequest, now: number) {
  const { table } = await tableAfter(store, book, request, now);
  if (request.since === undefined) return null;
  const costOf = costUnder(table);
  const totals = emptyTotals();
  for (const call of await store.prices.callsOf(request.model, request.since)) {
    addToTotals(totals, call.cost_nano_usd, costOf(call));
  }
  return totals;
}

/** Stores the price and reprices, in one transaction; returns the reprice's totals. */
export async function applyPrice(
  store: LedgerStore,
  book: PriceBook,
  request: PriceRequest,
  now: number,
): Promise<RepriceTotals | null> {
  const { stored, table } = await tableAfter(store, book, request, now);
  return store.prices.apply({
    model: request.model,
    price: stored.find((o) => o.model === request.model)?.price ?? null,
    now,
    ...(request.since !== undefined && { reprice: { since: request.since, costOf: costUnder(table) } }),
  });
}
