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
import { sleep } from './runtime.js';
import { chatPromptTokens, planReply } from './text.js';
import type { SimUsage } from './types.js';

interface ParsedMessage {
  role: string;
  text: string;
  nonTextParts: number;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const MAX_TOKENS_LIMIT = 1_000_000;

function parseContent(content: unknown, where: string): { text: string; nonTextParts: number } {
  if (typeof content === 'string') return { text: content, nonTextParts: 0 };
  if (content === null || content === undefined) return { text: '', nonTextParts: 0 };
  if (!Array.isArray(content)) throw invalidType(where, 'a string or an array of content parts', content);
  const texts: string[] = [];
  let nonTextParts = 0;
  content.forEach((part: unknown, i) => {
    if (!isRecord(part) || typeof part.type !== 'string')
      throw invalidType(`${where}[${i}]`, 'a content part object with a type', part);
    if (part.type !== 'text') {
      nonTextParts++;
      return;
    }
    if (typeof part.text !== 'string') throw invalidType(`${where}[${i}].text`, 'a string', part.text);
    texts.push(part.text);
  });
  return { text: texts.join(' '), nonTextParts };
}

function parseMessages(value: unknown): ParsedMessage[] {
  if (value === undefined || value === null) throw missing('messages');
  if (!Array.isArray(value)) throw invalidType('messages', 'an array', value);
  if (value.length === 0)
    throw new SimHttpError(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      'messages',
      'empty_array',
    );
  return value.map((m: unknown, i) => {
    if (!isRecord(m)) throw invalidType(`messages[${i}]`, 'an object', m);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      throw new SimHttpError(
        400,
        `Invalid value for 'messages[${i}].role': expected one of ${[...ROLES].join(', ')}.`,
        `messages[${i}].role`,
        'invalid_value',
      );
    }
    return { role: m.role, ...parseContent(m.content, `messages[${i}].content`) };
  });
}

/**
 * Builds `data: {chat.completion.chunk}` lines by string concatenation: no per-token JSON.stringify of
 * whole objects.
 */
export function chunkFormatter(id: string, created: number, model: string, usageNull: boolean) {
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":null,"choices":`;
  const tail = usageNull ? ',"usage":null}\n\n' : '}\n\n';
  return {
    line: (deltaJson: string, finish: string | null): string =>
      `${head}[{"index":0,"delta":${deltaJson},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]${tail}`,
    content: (text: string): string => `{"content":${JSON.stringify(text)}}`,
    role: '{"role":"assistant","content":""}',
    usageLine: (usage: SimUsage): string => `${head}[],"usage":${JSON.stringify(usage)}}\n\n`,
  };
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/**
 * Emits `first` at once, then the token lines on a schedule of `tokensPerSecond`, then `tail`.
 * Tokens are due at fixed times from the start and every overdue token goes out in one
 * write, so timer granularity never slows the stream below its nominal rate.
 */
export function pacedStream(
  rt: SimRuntime,
  first: string,
  tokens: readonly string[],
  tail: string,
): ReadableStream<Uint8Array> {
  const interval = 1000 / rt.tokensPerSecond;
  let next = 0;
  let start = 0;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      start = performance.now();
      controller.enqueue(rt.encoder.encode(first));
    },
    async pull(controller) {
      if (next >= tokens.length) {
        controller.enqueue(rt.encoder.encode(tail));
        controller.close();
        return;
      }
      const wait = start + (next + 1) * interval - performance.now();
      if (wait > 0.5) await sleep(wait);
      if (cancelled) return;
      const now = performance.now();
      let out = tokens[next++] ?? '';
      while (next < tokens.length && start + (next + 1) * interval <= now) out += tokens[next++] ?? '';
      controller.enqueue(rt.encoder.encode(out));
    },
    cancel() {
      cancelled = true;
    },
  });
}

export const handleChat: Handler = (_c, body, rt, req) => {
  const model = requireModel(rt.models, body.model, 'chat');
  const messages = parseMessages(body.messages);
  const maxTokens = optionalInt(body, 'max_tokens', 1, MAX_TOKENS_LIMIT);
  const maxCompletion = optionalInt(body, 'max_completion_tokens', 1, MAX_TOKENS_LIMIT);
  const n = optionalInt(body, 'n', 1, 128);
  if (n !== undefined && n !== 1)
    throw new SimHttpError(400, "The simulated upstream supports only 'n': 1.", 'n', 'unsupported_value');
  const stream = optionalBoolean(body, 'stream') ?? false;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isRecord(streamOptions))
    throw invalidType('stream_options', 'an object', streamOptions);
  const includeUsage = stream && isRecord(streamOptions) && streamOptions.include_usage === true;

  const cap =
    maxTokens === undefined
      ? maxCompletion
      : maxCompletion === undefined
        ? maxTokens
        : Math.min(maxTokens, maxCompletion);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const promptKey = messages.map((m) => `${m.role}\u0000${m.text}`).join('\u0001');
  const plan = planReply(model.id, lastUser?.text ?? '', promptKey, cap);
  const promptTokens = chatPromptTokens(messages);
  const usage: SimUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: plan.words.length,
    total_tokens: promptTokens + plan.words.length,
  };
  const id = rt.nextId('chatcmpl-sim');
  const created = Math.floor(Date.now() / 1000);

  if (!stream) {
    const completion = {
      id,
      object: 'chat.completion',
      created,
      model: model.id,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: plan.words.join(' '), refusal: null },
          logprobs: null,
          finish_reason: plan.finishReason,
        },
      ],
      ...(req.omitUsage
        ? {}
        : {
            usage: {
              ...usage,
              prompt_tokens_details: { cached_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0 },
            },
          }),
    };
    return {
      response: jsonResponse(200, JSON.stringify(completion), req.requestId),
      usage: req.omitUsage ? null : usage,
    };
  }

  const sendUsage = includeUsage && !req.omitUsage;
  const fmt = chunkFormatter(id, created, model.id, sendUsage);
  const last = plan.words.length - 1;
  const first = fmt.line(fmt.role, null);
  // Each delta carries its word plus the separating space, so the concatenated stream equals the non-stream content.
  const tokens = plan.words.map((w, i) => fmt.line(fmt.content(i < last ? `${w} ` : w), null));
  const tail = `${fmt.line('{}', plan.finishReason)}${sendUsage ? fmt.usageLine(usage) : ''}data: [DONE]\n\n`;
  const headers = { ...SSE_HEADERS, 'x-request-id': req.requestId };
  const payload = rt.tokensPerSecond > 0 ? pacedStream(rt, first, tokens, tail) : first + tokens.join('') + tail;
  return { response: new Response(payload, { status: 200, headers }), usage: sendUsage ? usage : null };
};
