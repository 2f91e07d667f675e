import { seededRandom } from '../../random.js';
/**
 * Deterministic text helpers: hashing, a seeded PRNG, token estimates and reply words.
 * Everything here is a pure function of its input so the same request always gets the
 * same answer (tests compare runs; the demo looks stable across restarts).
 */

/** 32-bit FNV-1a over UTF-16 code units: fast, good enough spread for seeding. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Token approximation used everywhere in the simulator: ceil(characters / 4), the usual
 * rule of thumb for English with OpenAI tokenizers. Not exact, but deterministic and cheap.
 */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Prompt tokens for a chat request: per message ceil(chars/4) of its text plus 4 tokens of
 * framing overhead (role, separators), plus 3 for priming the reply — the same shape as
 * OpenAI's published counting recipe. Non-text parts (images, audio) count a flat 85
 * tokens, OpenAI's price for a low-detail image.
 */
export function chatPromptTokens(messages: readonly { text: string; nonTextParts: number }[]): number {
  let total = 3;
  for (const m of messages) total += approxTokens(m.text) + 4 + 85 * m.nonTextParts;
  return total;
}

// Filler vocabulary for simulated replies; literal data, nothing computed at import.
const FILLER = [
  'the',
  'model',
  'considers',
  'your',
  'request',
  'and',
  'offers',
  'a',
  'concise',
  'answer',
  'with',
  'several',
  'practical',
  'details',
  'about',
  'latency',
  'tokens',
  'pricing',
  'quality',
  'context',
  'in',
  'short',
  'this',
  'is',
  'simulated',
  'text',
  'for',
  'testing',
  'metering',
  'dashboards',
  'each',
  'word',
  'counts',
  'as',
  'one',
  'completion',
  'token',
  'so',
  'usage',
  'stays',
  'predictable',
  'across',
  'runs',
  'while',
  'still',
  'looking',
  'like',
  'ordinary',
  'prose',
  'output',
] as const;

export interface ReplyPlan {
  /** Words actually emitted; one word is one completion token. */
  words: string[];
  finishReason: 'stop' | 'length';
}

/**
 * "Simulated reply from <model> to: <first 60 chars of the last user message>" followed by
 * filler, 20–80 words in total (chosen by a hash of the whole prompt), cut at `cap` tokens.
 */
export function planReply(model: string, lastUserText: string, promptKey: string, cap: number | undefined): ReplyPlan {
  const h = hash32(promptKey);
  const target = 20 + (h % 61);
  const snippet = lastUserText.replace(/\s+/g, ' ').trim().slice(0, 60);
  const words = `Simulated reply from ${model} to: ${snippet}`.split(' ').filter((w) => w.length > 0);
  const rand = seededRandom(h);
  while (words.length < target) words.push(FILLER[Math.floor(rand() * FILLER.length)] ?? 'token');
  if (words.length > target) words.length = target;
  if (cap !== undefined && cap < words.length) {
    words.length = cap;
    return { words, finishReason: 'length' };
  }
  return { words, finishReason: 'stop' };
}
