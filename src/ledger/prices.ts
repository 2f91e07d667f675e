/**
 * Prices stored in the ledger (`cometapi-mcp prices set`, the dashboard's Prices panel), so every
 * process on it prices calls alike, and repricing the calls already recorded.
 */
import { modelPriceSchema, type ModelPrice } from '../upstream/prices.js';

/** One model's stored price: only the fields that were set, over the price table's entry. */
export interface PriceOverride {
  model: string;
  price: ModelPrice;
  updated_at: number;
}

/** A model calls were recorded under (model_used, else model_requested), and how many had no price. */
export interface SeenModel {
  model: string;
  calls: number;
  unpriced: number;
}

/** What pricing a recorded call needs: its billable units and its stored cost. */
export interface PricedCall {
  id: number;
  model_used: string | null;
  model_requested: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  images: number;
  input_chars: number;
  audio_seconds: number | null;
  cost_nano_usd: number | null;
}

/** Calls repriced and their totals before and after (nano-USD; null costs count as 0 and as unpriced). */
export interface RepriceTotals {
  calls: number;
  old_nano_usd: number;
  new_nano_usd: number;
  old_unpriced: number;
  new_unpriced: number;
}

export interface PriceChange {
  model: string;
  /** The fields to store; null removes the model's stored price. */
  price: ModelPrice | null;
  now: number;
  /** Recompute the stored cost of the model's calls since `since` (ms), in the same transaction. */
  reprice?: { since: number; costOf: (call: PricedCall) => number | null };
}

export interface PriceStore {
  /**
   * Every stored price, by model. Served from a cache dropped whenever any process changes the
   * table (as QuotaStore.list()), so the call path does not re-read it per call. The same array
   * comes back while nothing changed.
   */
  list(): Promise<readonly PriceOverride[]>;
  /** Models in the ledger, most calls first. */
  seenModels(): Promise<SeenModel[]>;
  /** The billable calls (ok, or that used something) of a model since a time: what a reprice touches. */
  callsOf(model: string, since: number): Promise<PricedCall[]>;
  /**
   * Stores (or removes) the price and, when asked, reprices the calls and the rollups holding
   * them, all in one transaction. Returns the reprice's totals (null without one).
   */
  apply(change: PriceChange): Promise<RepriceTotals | null>;
}

/** Adds one call's old and new cost to the totals. */
export function addToTotals(totals: RepriceTotals, before: number | null, after: number | null): void {
  totals.calls += 1;
  totals.old_nano_usd += before ?? 0;
  totals.new_nano_usd += after ?? 0;
  totals.old_unpriced += before === null ? 1 : 0;
  totals.new_unpriced += after === null ? 1 : 0;
}

export const emptyTotals = (): RepriceTotals => ({
  calls: 0,
  old_nano_usd: 0,
  new_nano_usd: 0,
  old_unpriced: 0,
  new_unpriced: 0,
});

/** The SQL both engines select for callsOf (fixed text, the model and time are parameters). */
export const PRICED_CALL_COLUMNS =
  'id, model_used, model_requested, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, images, input_chars, audio_seconds, cost_nano_usd';

/** A hand-edited row must not break every call: one that does not parse is left out. */
export function overrideFromRow(row: { model: string; price: string; updated_at: number }): PriceOverride | null {
  try {
    const price = modelPriceSchema.safeParse(JSON.parse(row.price));
    return price.success ? { model: row.model, price: price.data, updated_at: row.updated_at } : null;
  } catch {
    return null;
  }
}
