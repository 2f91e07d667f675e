/**
 * The Anthropic Messages API (`POST /v1/messages`, `/v1/messages/count_tokens`) as Claude Code calls
 * it: `anthropic-version` required, `system` and content as strings or blocks, prompt caching up to
 * the last block marked `cache_control` (written on first sight, read after), and streams of
 * message_start (input usage) … content_block_delta … message_delta (cumulative output_tokens).
 */
import { pacedStream, SSE_HEADERS } from './chat.js';
import {
  SimHttpError,
  invalidType,
  isRecord,
  jsonResponse,
  missing,
  optionalBoolean,
  optionalInt,
  requireModel,
} from './protocol.js';
import type { Handler, SimRuntime } from './runtime.js';
import { approxTokens, chatPromptTokens, planReply } from './text.js';
import type { SimUsage } from './types.js';

const MAX_TOKENS_LIMIT = 1_000_000;

interface Block {
  text: string;
  nonText: boolean;
  cacheBreakpoint: boolean;
}

interface Prompt {
  /** System first (as one message), then each message: what the tokens are counted over. */
  messages: { role: string; text: string; nonTextParts: number }[];
  /** Text up to and including the last cache_control block; '' when nothing is marked. */
  cachePrefix: string;
  lastUserText: string;
}

function blockText(block: Record<string, unknown>): string {
  if (typeof block.text === 'string') return block.text;
  if (typeof block.thinking === 'string') return block.thinking;
  if (typeof block.content === 'string') return block.content; // tool_result
  if (Array.isArray(block.content)) return block.content.map((b) => (isRecord(b) ? blockText(b) : '')).join(' ');
  if (block.input !== undefined) return JSON.stringify(block.input); // tool_use
  return '';
}

function parseBlocks(value: unknown, where: string): Block[] {
  if (typeof value === 'string') return [{ text: value, nonText: false, cacheBreakpoint: false }];
  if (!Array.isArray(value)) throw invalidType(where, 'a string or an array of content blocks', value);
  return value.map((block: unknown, i) => {
    if (!isRecord(block) || typeof block.type !== 'string')
      throw invalidType(`${where}.${i}`, 'a content block with a type', block);
    const nonText = block.type === 'image' || block.type === 'document';
    return { text: blockText(block), nonText, cacheBreakpoint: isRecord(block.cache_control) };
  });
}

function parsePrompt(body: Record<string, unknown>): Prompt {
  if (body.messages === undefined || body.messages === null) throw missing('messages');
  if (!Array.isArray(body.messages)) throw invalidType('messages', 'an array', body.messages);
  const groups: { role: string; blocks: Block[] }[] = [];
  if (body.system !== undefined) groups.push({ role: 'system', blocks: parseBlocks(body.system, 'system') });
  body.messages.forEach((m: unknown, i) => {
    if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant'))
      throw new SimHttpError(400, `messages.${i}.role: Input should be 'user' or 'assistant'`);
    groups.push({ role: m.role, blocks: parseBlocks(m.content, `messages.${i}.content`) });
  });
  const flat = groups.flatMap((g) => g.blocks);
  const lastMark = flat.map((b) => b.cacheBreakpoint).lastIndexOf(true);
  const lastUser = [...groups].reverse().find((g) => g.role === 'user');
  return {
    messages: groups.map((g) => ({
      role: g.role,
      text: g.blocks.map((b) => b.text).join(' '),
      nonTextParts: g.blocks.filter((b) => b.nonText).length,
    })),
    cachePrefix: flat
      .slice(0, lastMark + 1)
      .map((b) => b.text)
      .join('\u0000'),
    lastUserText: lastUser?.blocks.map((b) => b.text).join(' ') ?? '',
  };
}

function requireVersion(header: string | undefined): void {
  if (!header) throw new SimHttpError(400, 'anthropic-version: header is required');
}

/** Counts the prompt and splits it into plain input, cache writes and cache reads. */
function promptUsage(rt: SimRuntime, model: string, prompt: Prompt) {
  const total = chatPromptTokens(prompt.messages);
  const cached = prompt.cachePrefix === '' ? 0 : Math.min(total, approxTokens(prompt.cachePrefix));
  const key = `messages\u0000${model}\u0000${prompt.cachePrefix}`;
  const hit = cached > 0 && rt.promptCache.get(key) === true;
  if (cached > 0) rt.promptCache.set(key, true);
  return {
    input_tokens: total - cached,
    cache_creation_input_tokens: hit ? 0 : cached,
    cache_read_input_tokens: hit ? cached : 0,
  };
}

const event = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

export const handleMessages: Handler = (c, body, rt, req) => {
  requireVersion(c.req.header('anthropic-version'));
  const model = requireModel(rt.models, body.model, 'chat');
  const maxTokens = optionalInt(body, 'max_tokens', 1, MAX_TOKENS_LIMIT);
  if (maxTokens === undefined) throw missing('max_tokens');
  const stream = optionalBoolean(body, 'stream') ?? false;
  const prompt = parsePrompt(body);
  const promptKey = prompt.messages.map((m) => `${m.role}\u0000${m.text}`).join('\u0001');
  const plan = planReply(model.id, prompt.lastUserText, promptKey, maxTokens);
  const input = promptUsage(rt, model.id, prompt);
  const outputTokens = plan.words.length;
  const promptTokens = input.input_tokens + input.cache_creation_input_tokens + input.cache_read_input_tokens;
  const usage: SimUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: outputTokens,
    total_tokens: promptTokens + outputTokens,
    cached_tokens: input.cache_read_input_tokens,
    cache_write_tokens: input.cache_creation_input_tokens,
  };
  const recorded = req.omitUsage ? null : usage;
  const stopReason = plan.finishReason === 'stop' ? 'end_turn' : 'max_tokens';
  const message = {
    id: rt.nextId('msg_sim'),
    type: 'message',
    role: 'assistant',
    model: model.id,
    content: [{ type: 'text', text: plan.words.join(' ') }],
    stop_reason: stopReason,
    stop_sequence: null,
  };
  const headers = { 'request-id': req.requestId };
  if (!stream) {
    const json = JSON.stringify({
      ...message,
      ...(req.omitUsage ? {} : { usage: { ...input, output_tokens: outputTokens } }),
    });
    return { response: jsonResponse(200, json, req.requestId, headers), usage: recorded };
  }

  const startUsage = req.omitUsage ? {} : { usage: { ...input, output_tokens: 1 } };
  const first =
    event('message_start', { message: { ...message, content: [], stop_reason: null, ...startUsage } }) +
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
    event('ping', {});
  const last = plan.words.length - 1;
  const deltas = plan.words.map((w, i) =>
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: i < last ? `${w} ` : w } }),
  );
  const tail =
    event('content_block_stop', { index: 0 }) +
    event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      ...(req.omitUsage ? {} : { usage: { output_tokens: outputTokens } }),
    }) +
    event('message_stop', {});
  const payload = rt.tokensPerSecond > 0 ? pacedStream(rt, first, deltas, tail) : first + deltas.join('') + tail;
  return {
    response: new Response(payload, {
      status: 200,
      headers: { ...SSE_HEADERS, 'x-request-id': req.requestId, ...headers },
    }),
    usage: recorded,
  };
};

/** POST /v1/messages/count_tokens: the prompt's size, free of charge. */
export const handleCountTokens: Handler = (c, body, rt, req) => {
  requireVersion(c.req.header('anthropic-version'));
  requireModel(rt.models, body.model, 'chat');
  const prompt = parsePrompt(body);
  const json = JSON.stringify({ input_tokens: chatPromptTokens(prompt.messages) });
  return { response: jsonResponse(200, json, req.requestId, { 'request-id': req.requestId }), usage: null };
};
