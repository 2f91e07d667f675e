/**
 * The OpenAI Responses API (`POST /v1/responses`, GET and DELETE `/v1/responses/{id}`), as Codex CLI
 * and the Agents SDK call it: `input` as a string or a list of items, `instructions`, streamed as
 * typed events ending in `response.completed` (or `response.incomplete`) with the usage.
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
  optionalString,
  requireModel,
} from './protocol.js';
import type { Handler } from './runtime.js';
import { approxTokens, chatPromptTokens, planReply } from './text.js';
import type { SimUsage } from './types.js';

const MAX_OUTPUT_LIMIT = 1_000_000;

interface InputMessage {
  role: string;
  text: string;
  nonTextParts: number;
}

/** Text of an input item: message content (string or input_text parts) or a tool call's output. */
function parseItem(item: unknown, where: string): InputMessage {
  if (!isRecord(item)) throw invalidType(where, 'an input item object', item);
  if (typeof item.output === 'string') return { role: 'tool', text: item.output, nonTextParts: 0 };
  const role = typeof item.role === 'string' ? item.role : 'user';
  const content = item.content;
  if (typeof content === 'string') return { role, text: content, nonTextParts: 0 };
  if (!Array.isArray(content)) return { role, text: '', nonTextParts: 0 };
  const texts: string[] = [];
  let nonTextParts = 0;
  for (const part of content) {
    if (isRecord(part) && typeof part.text === 'string') texts.push(part.text);
    else nonTextParts++;
  }
  return { role, text: texts.join(' '), nonTextParts };
}

function parseInput(value: unknown): InputMessage[] {
  if (value === undefined || value === null) throw missing('input');
  if (typeof value === 'string') return [{ role: 'user', text: value, nonTextParts: 0 }];
  if (!Array.isArray(value)) throw invalidType('input', 'a string or an array of input items', value);
  return value.map((item, i) => parseItem(item, `input[${i}]`));
}

/** o-series and GPT-5 models think before they answer: half a token of reasoning per word of reply. */
const reasons = (model: string): boolean => /^(?:o\d|gpt-5)/.test(model);

const event = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

export const handleResponses: Handler = (_c, body, rt, req) => {
  const model = requireModel(rt.models, body.model, 'chat');
  const instructions = optionalString(body, 'instructions') ?? '';
  const input = parseInput(body.input);
  const cap = optionalInt(body, 'max_output_tokens', 1, MAX_OUTPUT_LIMIT);
  const stream = optionalBoolean(body, 'stream') ?? false;
  const store = optionalBoolean(body, 'store') ?? true;

  const messages = instructions ? [{ role: 'developer', text: instructions, nonTextParts: 0 }, ...input] : input;
  const lastUser = [...input].reverse().find((m) => m.role === 'user');
  const plan = planReply(model.id, lastUser?.text ?? '', messages.map((m) => `${m.role}\u0000${m.text}`).join(), cap);
  const text = plan.words.join(' ');
  const promptTokens = chatPromptTokens(messages);
  // Like OpenAI's automatic prompt caching, a repeated prefix (here: the instructions) is read from cache.
  const cacheKey = `responses\u0000${model.id}\u0000${instructions}`;
  const cachedTokens = instructions && rt.promptCache.get(cacheKey) ? approxTokens(instructions) : 0;
  if (instructions) rt.promptCache.set(cacheKey, true);
  const reasoningTokens = reasons(model.id) ? Math.ceil(plan.words.length / 2) : 0;
  const usage: SimUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: plan.words.length + reasoningTokens,
    total_tokens: promptTokens + plan.words.length + reasoningTokens,
    cached_tokens: cachedTokens,
    reasoning_tokens: reasoningTokens,
  };
  const wireUsage = {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: cachedTokens },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: usage.total_tokens,
  };

  const id = rt.nextId('resp_sim');
  const itemId = rt.nextId('msg_sim');
  const finished = plan.finishReason === 'stop' ? 'completed' : 'incomplete';
  const part = { type: 'output_text', text, annotations: [], logprobs: [] };
  const item = { type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [part] };
  const response = (status: string, final: boolean) => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: final && status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: instructions || null,
    max_output_tokens: cap ?? null,
    model: model.id,
    output: final ? [item] : [],
    parallel_tool_calls: true,
    store,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    usage: final && !req.omitUsage ? wireUsage : null,
    metadata: {},
  });
  const whole = JSON.stringify(response(finished, true));
  if (store) rt.storedResponses.set(id, whole);
  const recorded = req.omitUsage ? null : usage;
  if (!stream) return { response: jsonResponse(200, whole, req.requestId), usage: recorded };

  let seq = 0;
  const next = (type: string, data: Record<string, unknown>) => event(type, { sequence_number: seq++, ...data });
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const first =
    next('response.created', { response: response('in_progress', false) }) +
    next('response.in_progress', { response: response('in_progress', false) }) +
    next('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }) +
    next('response.content_part.added', { ...at, part: { ...part, text: '' } });
  const last = plan.words.length - 1;
  const deltas = plan.words.map((w, i) =>
    next('response.output_text.delta', { ...at, delta: i < last ? `${w} ` : w, logprobs: [] }),
  );
  const tail =
    next('response.output_text.done', { ...at, text, logprobs: [] }) +
    next('response.content_part.done', { ...at, part }) +
    next('response.output_item.done', { output_index: 0, item }) +
    next(`response.${finished}`, { response: response(finished, true) });
  const headers = { ...SSE_HEADERS, 'x-request-id': req.requestId };
  const payload = rt.tokensPerSecond > 0 ? pacedStream(rt, first, deltas, tail) : first + deltas.join('') + tail;
  return { response: new Response(payload, { status: 200, headers }), usage: recorded };
};

const notFound = (id: string) => new SimHttpError(404, `No response found with id '${id}'.`);

/** GET /v1/responses/{id}: a stored answer, as it was returned. */
export const getResponse: Handler = (c, _body, rt, req) => {
  const id = c.req.param('id') ?? '';
  const stored = rt.storedResponses.get(id);
  if (stored === undefined) throw notFound(id);
  return { response: jsonResponse(200, stored, req.requestId), usage: null };
};

/** DELETE /v1/responses/{id}. */
export const deleteResponse: Handler = (c, _body, rt, req) => {
  const id = c.req.param('id') ?? '';
  if (!rt.storedResponses.delete(id)) throw notFound(id);
  return {
    response: jsonResponse(200, JSON.stringify({ id, object: 'response', deleted: true }), req.requestId),
    usage: null,
  };
};
