/**
 * Prices over JSON (mounted at /api, behind the sidecar's Host/Origin checks and token):
 * GET /prices, POST /prices/preview (what a change would reprice, writing nothing), PUT and
 * DELETE /prices/:model (store or remove a model's price, repricing in one transaction).
 */
import { Hono, type Context } from 'hono';
import type { Config } from '../../config.js';
import { BadInputError, errorMessage } from '../../errors.js';
import { usdFromNano } from '../../ledger/calls.js';
import type { LedgerStore, RepriceTotals } from '../../ledger/store.js';
import {
  applyPrice,
  parsePrice,
  parseRepriceSince,
  PRICE_FIELDS,
  previewPrice,
  type PriceRequest,
} from '../../prices/manage.js';
import { createPriceBook } from '../../upstream/price-book.js';
import { createPriceTable } from '../../upstream/prices.js';

export interface PriceRoutesDeps {
  store: LedgerStore;
  config: Pick<Config, 'timeZone' | 'pricesFile'>;
  clock?: () => number;
}

const BODY_FIELDS = new Set(['model', 'price', 'reprice_since']);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const presentTotals = (t: RepriceTotals | null) =>
  t && {
    calls: t.calls,
    old_usd: usdFromNano(t.old_nano_usd),
    new_usd: usdFromNano(t.new_nano_usd),
    old_unpriced: t.old_unpriced,
    new_unpriced: t.new_unpriced,
  };

export function createPriceRoutes(deps: PriceRoutesDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const { store } = deps;
  const book = createPriceBook(createPriceTable(deps.config.pricesFile), () => store.prices.list());

  /** {model?, price?: {input_per_mtok, …}, reprice_since?: "2025-06-01"} → a request; `remove` drops the price. */
  async function requestOf(c: Context, model: string | undefined, remove: boolean): Promise<PriceRequest> {
    let body: unknown = {};
    const text = await c.req.text();
    try {
      if (text.trim() !== '') body = JSON.parse(text);
    } catch (error) {
      throw new BadInputError(`the body must be JSON (${errorMessage(error)})`, 'body_not_json');
    }
    if (!isRecord(body)) throw new BadInputError('the body must be a JSON object', 'not_object');
    const unknown = Object.keys(body).find((k) => !BODY_FIELDS.has(k));
    if (unknown)
      throw new BadInputError(`unknown field "${unknown}"; send model, price and reprice_since`, 'unknown_field');
    const name = model ?? body.model;
    if (typeof name !== 'string') throw new BadInputError('"model" must name the model to price', 'unknown_model');
    const fields = body.price;
    if (!remove && !isRecord(fields))
      throw new BadInputError('"price" must be an object such as {"input_per_mtok": 0.15}');
    const stray = isRecord(fields)
      ? Object.keys(fields).find((k) => !(PRICE_FIELDS as string[]).includes(k))
      : undefined;
    if (stray) throw new BadInputError(`unknown price field "${stray}"; use ${PRICE_FIELDS.join(', ')}`, 'bad_price');
    const since = body.reprice_since;
    if (since !== undefined && since !== null && typeof since !== 'string')
      throw new BadInputError('"reprice_since" must be a date such as "2025-06-01"', 'bad_date');
    return {
      model: name,
      price: remove || !isRecord(fields) ? null : parsePrice(fields, (field) => `price.${field}`),
      ...(typeof since === 'string' && {
        since: parseRepriceSince(since, clock(), deps.config.timeZone, 'reprice_since'),
      }),
    };
  }

  const api = new Hono();
  api.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  api.get('/prices', async (c) => {
    const [table, stored, seen] = await Promise.all([book.current(), store.prices.list(), store.prices.seenModels()]);
    const storedAt = new Map(stored.map((o) => [o.model, o.updated_at]));
    return c.json({
      source: table.source,
      as_of: table.asOf,
      models: table.models().map((model) => {
        const at = storedAt.get(model);
        return { model, price: table.price(model), stored_at: at === undefined ? null : new Date(at).toISOString() };
      }),
      unpriced: seen.filter((s) => s.unpriced > 0 && !table.price(s.model)),
      seen,
    });
  });
  api.post('/prices/preview', async (c) => {
    const request = await requestOf(c, undefined, false);
    return c.json({ model: request.model, repriced: presentTotals(await previewPrice(store, book, request, clock())) });
  });
  api.put('/prices/:model', async (c) => {
    const request = await requestOf(c, c.req.param('model'), false);
    const repriced = await applyPrice(store, book, request, clock());
    return c.json({
      model: request.model,
      price: (await book.current()).price(request.model),
      repriced: presentTotals(repriced),
    });
  });
  api.delete('/prices/:model', async (c) => {
    const request = await requestOf(c, c.req.param('model'), true);
    if (!(await store.prices.list()).some((o) => o.model === request.model))
      return c.json({ error: `no price is stored for '${request.model}'`, code: 'price_not_found' }, 404);
    return c.json({ model: request.model, repriced: presentTotals(await applyPrice(store, book, request, clock())) });
  });
  return api;
}
