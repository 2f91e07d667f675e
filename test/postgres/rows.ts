/**
 * Call rows for the engine tests, chosen to find where two databases might disagree: keys that
 * sort differently under a locale than by code point (accents, case, emoji, the empty string,
 * NULL), NULL costs on failures and on successes, equal latencies, and times spread over days in
 * no particular order. Deterministic per seed.
 */
import type { CallRecord, CallStatus } from '../../src/ledger/calls.js';
import type { TimeRange } from '../../src/ledger/queries/range.js';
import { seededRandom } from '../../src/random.js';
import { callRecord } from '../helpers/ledger.js';

export const CLIENTS = ['Cursor', 'cursor', 'Cherry Studio', 'Äpfel', 'émile', 'Zed', '🦊 fox', '', null] as const;
const MODELS = ['gpt-4o-mini', 'GPT-4o', 'claude-sonnet-4', 'deepseek-chat', 'ñandú-1'] as const;
const TOOLS = ['chat', 'generate_image', '/v1/chat/completions', 'create_embeddings'] as const;

export function randomRecords(count: number, seed: number, range: TimeRange): CallRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  return Array.from({ length: count }, (_, i) => {
    const roll = random();
    const status: CallStatus = roll < 0.1 ? 'error' : roll < 0.15 ? 'blocked' : 'ok';
    const model = pick(MODELS);
    const prompt = status === 'blocked' ? 0 : Math.floor(random() * 3000);
    const completion = status === 'ok' ? Math.floor(random() * 1000) : 0;
    const error = status === 'ok' ? null : pick(['rate_limit', 'timeout', 'quota_exceeded', null]);
    return callRecord({
      ts: range.from + Math.floor(random() * (range.to - range.from)),
      // Whole-ish values repeat, so percentiles land on ties as real latencies do.
      duration_ms: random() < 0.05 ? null : Math.floor(Math.exp(random() * 11)),
      ttft_ms: random() < 0.5 ? Math.floor(Math.exp(random() * 8)) : null,
      source: pick(['mcp-stdio', 'proxy', 'mcp-http']),
      client: pick(CLIENTS),
      tool: pick(TOOLS),
      provider: pick(['cometapi', 'openai']),
      model_requested: model,
      model_used: status === 'ok' ? model : null,
      stream: random() < 0.3,
      prompt_tokens: prompt,
      completion_tokens: completion,
      images: random() < 0.1 ? 1 : 0,
      usage_estimated: random() < 0.05,
      cost_nano_usd: random() < 0.1 ? null : prompt + completion * 3,
      status,
      http_status: status === 'ok' ? 200 : pick([429, 500, null]),
      error_type: error,
      error_message: error ? `${error} #${i}` : null,
      retries: random() < 0.1 ? Math.floor(random() * 4) : 0,
      input_chars: random() < 0.05 ? Math.floor(random() * 500) : 0,
      audio_seconds: random() < 0.05 ? Math.round(random() * 6000) / 100 : null,
    });
  });
}
