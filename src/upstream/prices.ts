import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../errors.js';
import type { PriceOverride } from '../ledger/prices.js';
import defaults from './prices.json' with { type: 'json' };

/** USD per million tokens; × 1000 it is nano-USD per token (costs are whole nano-USD per call). */
export const modelPriceSchema = z.object({
  input_per_mtok: z.number().nonnegative().optional(),
  output_per_mtok: z.number().nonnegative().optional(),
  cached_input_per_mtok: z.number().nonnegative().optional(),
  /** Prompt tokens written to the cache (Anthropic: 1.25× input for the 5-minute cache). */
  cache_write_per_mtok: z.number().nonnegative().optional(),
  per_image: z.number().nonnegative().optional(),
  per_request: z.number().nonnegative().optional(),
  /** USD per million characters of speech input. */
  per_mchar: z.number().nonnegative().optional(),
  /** USD per minute of transcribed audio. */
  per_minute: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

const priceFileSchema = z.object({
  source: z.string().optional(),
  as_of: z.string().optional(),
  models: z.record(z.string(), modelPriceSchema),
});

export interface BillableUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
  images: number;
  characters?: number;
  audio_seconds?: number;
}

export interface PriceTable {
  readonly source: string;
  readonly asOf: string;
  price(model: string): ModelPrice | undefined;
  /** Cost in nano-USD, rounded once per call, or null when the model has no price (shown as "unpriced", never as 0). */
  costNanoUsd(model: string, usage: BillableUsage): number | null;
  models(): string[];
}

/** A provider may answer with a dated id ("gpt-4o-2024-08-06") or an alias: the first priced name wins. */
export function firstPricedCost(
  table: PriceTable,
  usage: BillableUsage,
  models: readonly (string | null)[],
): number | null {
  for (const model of models) {
    const cost = model === null ? null : table.costNanoUsd(model, usage);
    if (cost !== null) return cost;
  }
  return null;
}

/** Vendor prefixes such as "openai/gpt-4o" and date suffixes are matched to the base entry. */
function lookupKeys(model: string): string[] {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const undated = bare.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return [...new Set([model, bare, undated])];
}

/** The built-in table (prices.json), with the entries of COMETAPI_MCP_PRICES's file over it. */
export function createPriceTable(overridesFile?: string): PriceTable {
  const table = new Map(Object.entries(priceFileSchema.parse(defaults).models));
  if (!overridesFile) return tableOf(table, defaults.source, defaults.as_of);
  let parsed: z.infer<typeof priceFileSchema>;
  try {
    parsed = priceFileSchema.parse(JSON.parse(fs.readFileSync(overridesFile, 'utf8')));
  } catch (error) {
    throw new ConfigError(
      `COMETAPI_MCP_PRICES: cannot use ${overridesFile}: ${errorMessage(error)}. ` +
        'Expected {"models": {"<model>": {"input_per_mtok": 0.15, "output_per_mtok": 0.6}}}.',
    );
  }
  for (const [model, price] of Object.entries(parsed.models)) table.set(model, price);
  return tableOf(table, `${defaults.source} Overrides: ${overridesFile}.`, parsed.as_of ?? defaults.as_of);
}

/** The table with prices stored in the ledger over it, each field set over the entry it matches. */
export function withStoredPrices(base: PriceTable, stored: readonly PriceOverride[]): PriceTable {
  if (stored.length === 0) return base;
  const table = new Map(base.models().map((model): [string, ModelPrice] => [model, base.price(model) ?? {}]));
  for (const { model, price } of stored) table.set(model, { ...base.price(model), ...price });
  const models = stored.map((o) => o.model).join(', ');
  return tableOf(table, `${base.source} Set in the ledger (cometapi-mcp prices set): ${models}.`, base.asOf);
}

function tableOf(table: ReadonlyMap<string, ModelPrice>, source: string, asOf: string): PriceTable {
  const price = (model: string) => {
    for (const key of lookupKeys(model)) {
      const hit = table.get(key);
      if (hit) return hit;
    }
    return undefined;
  };
  return {
    source,
    asOf,
    price,
    models: () => [...table.keys()],
    costNanoUsd(model, usage) {
      const p = price(model);
      if (!p) return null;
      const cacheWrites = usage.cache_write_tokens ?? 0;
      // Cache writes cost more than plain input: without their rate, a guess would understate the bill.
      if (cacheWrites > 0 && p.cache_write_per_mtok === undefined) return null;
      const uncached = Math.max(0, usage.prompt_tokens - usage.cached_tokens - cacheWrites);
      const cachedRate = p.cached_input_per_mtok ?? p.input_per_mtok ?? 0;
      // In micro-USD (USD per million tokens × tokens), then one rounding to whole nano-USD.
      const micro =
        uncached * (p.input_per_mtok ?? 0) +
        usage.cached_tokens * cachedRate +
        cacheWrites * (p.cache_write_per_mtok ?? 0) +
        usage.completion_tokens * (p.output_per_mtok ?? 0) +
        usage.images * (p.per_image ?? 0) * 1e6 +
        (usage.characters ?? 0) * (p.per_mchar ?? 0) +
        ((usage.audio_seconds ?? 0) / 60) * (p.per_minute ?? 0) * 1e6 +
        (p.per_request ?? 0) * 1e6;
      return Math.round(micro * 1000);
    },
  };
}
