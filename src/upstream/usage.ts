/** Token usage of one call, as the upstream reported it or as we counted it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Prompt tokens read from a prompt cache; part of prompt_tokens. */
  cached_tokens: number;
  /** Prompt tokens written to a prompt cache (Anthropic bills them above input); part of prompt_tokens. */
  cache_write_tokens: number;
  reasoning_tokens: number;
  images: number;
  /** Characters of text turned into speech (speech is billed per character). */
  characters: number;
  /** Seconds of audio transcribed (transcription is billed per minute). */
  audio_seconds: number;
  estimated: boolean;
}

export const emptyUsage = (): Usage => ({
  prompt_tokens: 0,
  completion_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  images: 0,
  characters: 0,
  audio_seconds: 0,
  estimated: false,
});

interface WireUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  prompt_tokens_details?: object | null;
  completion_tokens_details?: object | null;
  /** The Responses API names the details after its input_/output_ counts (images use them for other counts). */
  input_tokens_details?: object | null;
  output_tokens_details?: object | null;
  /** Transcriptions billed by duration answer `{"type": "duration", "seconds": N}`. */
  seconds?: number | null;
}

function detail(details: object | null | undefined, name: string): number {
  const value: unknown = details && name in details ? Reflect.get(details, name) : undefined;
  return typeof value === 'number' ? value : 0;
}

/**
 * Reads chat/embeddings (prompt_/completion_), Responses, image and transcription (input_/output_,
 * seconds) usage shapes alike. Anthropic's differs in meaning, not only in names: see usageFromAnthropic.
 */
export function usageFromWire(wire: WireUsage): Usage {
  return {
    prompt_tokens: wire.prompt_tokens ?? wire.input_tokens ?? 0,
    completion_tokens: wire.completion_tokens ?? wire.output_tokens ?? 0,
    cached_tokens: detail(wire.prompt_tokens_details ?? wire.input_tokens_details, 'cached_tokens'),
    cache_write_tokens: 0,
    reasoning_tokens: detail(wire.completion_tokens_details ?? wire.output_tokens_details, 'reasoning_tokens'),
    images: 0,
    characters: 0,
    audio_seconds: wire.seconds ?? 0,
    estimated: false,
  };
}

export interface AnthropicWireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/**
 * Anthropic's input_tokens leaves out the cache reads and writes, which are billed at their own
 * rates: all three add up to prompt_tokens, so every row's prompt_tokens means the whole prompt
 * (see docs/decisions/0017-cache-write-and-read-tokens.md).
 */
export function usageFromAnthropic(wire: AnthropicWireUsage): Usage {
  const cacheRead = wire.cache_read_input_tokens ?? 0;
  const cacheWrite = wire.cache_creation_input_tokens ?? 0;
  return {
    ...emptyUsage(),
    prompt_tokens: (wire.input_tokens ?? 0) + cacheRead + cacheWrite,
    completion_tokens: wire.output_tokens ?? 0,
    cached_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
  };
}

/** Counts with the o200k tokenizer, loaded only when an upstream leaves usage out. */
export async function countTokens(texts: readonly string[]): Promise<number> {
  const { encode } = await import('gpt-tokenizer/encoding/o200k_base');
  let total = 0;
  for (const text of texts) total += encode(text).length;
  return total;
}

/** OpenAI's documented chat overhead: 3 tokens per message plus 3 to prime the reply. */
export async function estimateChatUsage(promptTexts: readonly string[], completion: string): Promise<Usage> {
  const prompt = (await countTokens(promptTexts)) + 3 * promptTexts.length + 3;
  return {
    ...emptyUsage(),
    prompt_tokens: prompt,
    completion_tokens: await countTokens([completion]),
    estimated: true,
  };
}

/** A stream as far as it went: the usage it reported, if any, and the answer's text. */
export interface StreamedSoFar {
  usage: Usage | null;
  text: string;
  /** Usage known before the end (Anthropic's message_start: the whole prompt). */
  promptUsage?: Usage | null;
}

/**
 * What a stream used: as reported, else counted from its text (keeping a prompt count the stream
 * did report). A stream cut off midway is billed upstream for the prompt and what it generated,
 * so an abandoned proxy stream and a cancelled chat are both recorded with this.
 */
export async function streamedUsage(seen: StreamedSoFar, prompt: readonly string[]): Promise<Usage> {
  if (seen.usage) return seen.usage;
  const estimated = await estimateChatUsage(prompt, seen.text);
  if (!seen.promptUsage) return estimated;
  return { ...seen.promptUsage, completion_tokens: estimated.completion_tokens, estimated: true };
}

/** Cheap pre-call guess for quota checks: about four characters a token. */
export function roughTokenCount(texts: readonly string[]): number {
  let chars = 0;
  for (const text of texts) chars += text.length;
  return Math.ceil(chars / 4) + 3 * texts.length;
}
