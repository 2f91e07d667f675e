import type { ModelInfo, UpstreamClient } from './client.js';
import type { PriceTable, ModelPrice } from './prices.js';

export type ModelKind = 'chat' | 'image' | 'embedding' | 'audio' | 'other';

export interface CatalogEntry extends ModelInfo {
  kind: ModelKind;
  price: ModelPrice | null;
}

export interface ModelCatalog {
  list(signal?: AbortSignal): Promise<CatalogEntry[]>;
}

/** Guesses a model's kind from its name; upstreams' model lists do not say. */
export function modelKind(id: string): ModelKind {
  const name = id.toLowerCase();
  if (/embed/.test(name)) return 'embedding';
  if (/(dall-e|gpt-image|image|flux|midjourney|mj_|stable-diffusion|sdxl|imagen|seedream|ideogram)/.test(name)) return 'image';
  if (/(whisper|tts|audio|speech|transcribe)/.test(name)) return 'audio';
  if (/(gpt|claude|gemini|deepseek|qwen|llama|mistral|grok|o\d|kimi|glm|moonshot|chat|sonar)/.test(name)) return 'chat';
  return 'other';
}

/** The upstream's model list, cached briefly: clients ask for it often and it rarely changes. */
export function createModelCatalog(deps: {
  upstream: UpstreamClient | null;
  prices: PriceTable;
  ttlMs?: number;
  clock?: () => number;
}): ModelCatalog {
  const ttl = deps.ttlMs ?? 5 * 60_000;
  const clock = deps.clock ?? Date.now;
  let cached: { at: number; entries: CatalogEntry[] } | null = null;
  let pending: Promise<CatalogEntry[]> | null = null;
  return {
    async list(signal) {
      if (cached && clock() - cached.at < ttl) return cached.entries;
      const upstream = deps.upstream;
      if (!upstream) return [];
      pending ??= upstream
        .models(signal)
        .then((models) => {
          const entries = models
            .map((m) => ({ ...m, kind: modelKind(m.id), price: deps.prices.price(m.id) ?? null }))
            .sort((a, b) => a.id.localeCompare(b.id));
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
