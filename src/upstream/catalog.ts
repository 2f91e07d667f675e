import type { ModelInfo, UpstreamClient } from './client.js';
import type { PriceBook } from './price-book.js';
import type { ModelPrice, PriceTable } from './prices.js';

export type ModelKind = 'chat' | 'image' | 'embedding' | 'audio' | 'other';

export interface CatalogEntry extends ModelInfo {
  kind: ModelKind;
  price: ModelPrice | null;
  /** Which provider serves it; ids from config-file providers carry their `provider/` prefix. */
  provider: string;
}

export interface ModelCatalog {
  list(signal?: AbortSignal): Promise<CatalogEntry[]>;
}

/** Guesses a model's kind from its name; upstreams' model lists do not say. */
export function modelKind(id: string): ModelKind {
  const name = id.toLowerCase();
  if (/embed/.test(name)) return 'embedding';
  if (/(dall-e|gpt-image|image|flux|midjourney|mj_|stable-diffusion|sdxl|imagen|seedream|ideogram)/.test(name))
    return 'image';
  if (/(whisper|tts|audio|speech|transcribe)/.test(name)) return 'audio';
  if (/(gpt|claude|gemini|deepseek|qwen|llama|mistral|grok|o\d|kimi|glm|moonshot|chat|sonar)/.test(name)) return 'chat';
  return 'other';
}

/**
 * Every provider's model list, cached briefly: clients ask for it often and it rarely changes.
 * A config-file provider that is down is left out rather than failing the whole list.
 */
export function createModelCatalog(deps: {
  upstream: UpstreamClient | null;
  configured?: readonly { name: string; client: UpstreamClient }[];
  prices: PriceBook;
  ttlMs?: number;
  clock?: () => number;
}): ModelCatalog {
  const ttl = deps.ttlMs ?? 5 * 60_000;
  const clock = deps.clock ?? Date.now;
  let cached: { at: number; entries: CatalogEntry[] } | null = null;
  let pending: Promise<CatalogEntry[]> | null = null;
  const entryOf = (prices: PriceTable, provider: string, prefix: string, m: ModelInfo): CatalogEntry => ({
    ...m,
    id: prefix + m.id,
    kind: modelKind(m.id),
    price: prices.price(m.id) ?? null,
    provider,
  });
  async function fetchAll(upstream: UpstreamClient, signal?: AbortSignal): Promise<CatalogEntry[]> {
    const prices = await deps.prices.current();
    const entry = (provider: string, prefix: string, m: ModelInfo) => entryOf(prices, provider, prefix, m);
    const others = await Promise.allSettled(
      (deps.configured ?? []).map(async ({ name, client }) =>
        (await client.models(signal)).map((m) => entry(name, `${name}/`, m)),
      ),
    );
    const own = (await upstream.models(signal)).map((m) => entry(upstream.provider, '', m));
    const extra = others.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    return [...own, ...extra].sort((a, b) => a.id.localeCompare(b.id));
  }
  return {
    async list(signal) {
      if (cached && clock() - cached.at < ttl) return cached.entries;
      const upstream = deps.upstream;
      if (!upstream) return [];
      pending ??= fetchAll(upstream, signal)
        .then((entries) => {
          cached = { at: clock(), entries };
          return entries;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    },
  };
}
