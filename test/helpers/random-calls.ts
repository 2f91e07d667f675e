import type { CallRecord } from '../../src/ledger/calls.js';
import type { TimeRange } from '../../src/ledger/store.js';
import { seededRandom } from '../../src/random.js';

/**
 * Varied calls with random times in range (not in time order, as several processes write them):
 * every status, null and empty clients, two providers, unpriced and estimated calls, latencies
 * from 0 ms to a minute and TTFTs on some. Deterministic per seed.
 */
export function randomCalls(count: number, seed: number, range: TimeRange): Partial<CallRecord>[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  return Array.from({ length: count }, () => {
    const roll = random();
    const status = roll < 0.08 ? 'error' : roll < 0.12 ? 'blocked' : 'ok';
    const model = pick(['gpt-4o-mini', 'claude-sonnet-4', 'deepseek-chat']);
    const prompt = status === 'blocked' ? 0 : Math.floor(random() * 3000);
    const completion = status === 'ok' ? Math.floor(random() * 1000) : 0;
    return {
      ts: range.from + Math.floor(random() * (range.to - range.from)),
      duration_ms: random() < 0.05 ? null : Math.floor(Math.exp(random() * 11)),
      ttft_ms: random() < 0.5 ? Math.floor(Math.exp(random() * 8)) : null,
      client: pick(['Cursor', 'Cherry Studio', null, '']),
      tool: pick(['chat', 'chat', 'generate_image', '/v1/chat/completions']),
      provider: pick(['cometapi', 'openai']),
      model_requested: model,
      model_used: status === 'ok' ? model : null,
      prompt_tokens: prompt,
      completion_tokens: completion,
      images: random() < 0.1 ? 1 : 0,
      usage_estimated: random() < 0.05,
      cost_nano_usd: random() < 0.1 ? null : prompt + completion * 3,
      status,
      retries: random() < 0.1 ? Math.floor(random() * 4) : 0,
    };
  });
}
