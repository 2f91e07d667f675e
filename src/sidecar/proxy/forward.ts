/**
 * One proxied request as an Operation on the metering path: each attempt forwards the bytes to
 * the routed provider, and either streams the answer on (SSE) or hands the whole answer back to
 * be sent once the call is recorded. Usage is read from the answer, or estimated when it has none.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation } from '../../metering.js';
import type { Attempt } from '../../upstream/client.js';
import type { Passthrough } from '../../upstream/passthrough.js';
import { passthroughFailure } from '../../upstream/passthrough.js';
import {
  countTokens,
  emptyUsage,
  estimateChatUsage,
  streamedUsage,
  usageFromAnthropic,
  usageFromWire,
  type Usage,
} from '../../upstream/usage.js';
import { UpstreamError } from '../../errors.js';
import { ResponseTooLargeError } from '../../upstream/body-cap.js';
import type { Reply } from './reply.js';
import { createMessagesStreamReader, createResponsesStreamReader } from './agent-streams.js';
import { promptTexts, textsOf } from './prompt.js';
import { bodyForAttempt, type Endpoint, type ParsedRequest } from './request.js';
import { createChatStreamReader, createSseScanner, type StreamObservation, type StreamReader } from './sse.js';

/** A whole (non-streamed) answer, sent after the call is recorded. */
export interface BufferedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ForwardContext {
  endpoint: Endpoint;
  /** The path below /v1, with its query. */
  path: string;
  request: ParsedRequest;
  contentType: string | null;
  accept: string | null;
  /** Request headers the upstream API needs from the client (anthropic-version, anthropic-beta). */
  headers: Record<string, string>;
  reply: Reply;
  passthrough: Passthrough;
  maxResponseBytes: number;
  timeoutMs: number;
  now: () => number;
}

/** Response headers worth passing on; hop-by-hop ones, cookies and encodings are not. */
const PASSED_HEADERS = [
  'content-type',
  'x-request-id',
  'request-id',
  'openai-processing-ms',
  'openai-version',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
];

function passedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

const header = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name];
  return typeof value === 'string' ? value : null;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function streamReader(
  endpoint: Endpoint,
  options: { started: number; now: () => number; dropAddedUsage: boolean },
): StreamReader {
  if (endpoint === 'responses') return createResponsesStreamReader(options);
  if (endpoint === 'messages') return createMessagesStreamReader(options);
  return createChatStreamReader(options);
}

export function proxyOperation(ctx: ForwardContext): Operation<BufferedAnswer | null> {
  const { request, reply } = ctx;
  const addUsage = request.stream && !request.clientAskedUsage;
  const prompt = promptTexts(ctx.endpoint, request.json);
  // The stream being forwarded, so a call cut off midway can still be charged what it streamed.
  let streaming: StreamObservation | null = null;
  return {
    model: request.model,
    stream: request.stream,
    estimate: request.estimate,
    forwarded: () => reply.started,
    partialUsage: async () => {
      if (!reply.started || !streaming) return null;
      return streamedUsage(streaming, prompt);
    },
    async attempt(client, model) {
      const started = ctx.now();
      const answer = await ctx.passthrough.forward(client.provider, {
        method: 'POST',
        path: ctx.path,
        contentType: ctx.contentType,
        accept: ctx.accept,
        headers: ctx.headers,
        body: bodyForAttempt(request, model, addUsage),
        signal: reply.signal,
      });
      const requestId = header(answer.headers, 'x-request-id') ?? header(answer.headers, 'request-id');
      const contentType = header(answer.headers, 'content-type') ?? '';
      if (request.stream && contentType.includes('text/event-stream')) {
        const scanner = createSseScanner(
          streamReader(ctx.endpoint, { started, now: ctx.now, dropAddedUsage: addUsage }),
        );
        streaming = scanner.observed;
        try {
          for await (const chunk of answer.body) {
            const out = scanner.push(chunk);
            if (!out) continue;
            reply.head(answer.status, passedHeaders(answer.headers));
            await reply.write(out);
          }
          const rest = scanner.flush();
          reply.head(answer.status, passedHeaders(answer.headers));
          reply.end(rest ?? undefined);
        } catch (error) {
          answer.body.destroy();
          throw passthroughFailure(error, reply.signal, ctx.timeoutMs, []);
        }
        const seen = scanner.observed;
        const usage = await streamedUsage(seen, prompt);
        return done(null, seen.model ?? model, usage, seen.ttftMs, requestId, answer.status);
      }
      const body = await readCapped(answer.body, ctx.maxResponseBytes, reply.signal, ctx.timeoutMs);
      const { usage, modelUsed } = await usageOfAnswer(ctx.endpoint, request, prompt, contentType, body, model);
      return done(
        { status: answer.status, headers: passedHeaders(answer.headers), body },
        modelUsed,
        usage,
        null,
        requestId,
        answer.status,
      );
    },
  };
}

function done<T>(
  value: T,
  modelUsed: string,
  usage: Usage,
  ttftMs: number | null,
  requestId: string | null,
  httpStatus: number,
): Attempt<T> {
  return { value, modelUsed, usage, ttftMs, requestId, httpStatus };
}

/** The same upstream would most likely send the same flood again: not worth a retry. */
const tooLarge = (max: number) =>
  new UpstreamError({
    status: null,
    type: 'response_too_large',
    message: new ResponseTooLargeError(max).message,
    retryable: false,
  });

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): void },
  max: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > max) throw tooLarge(max);
      chunks.push(chunk);
    }
  } catch (error) {
    body.destroy();
    throw passthroughFailure(error, signal, timeoutMs, []);
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
}

/** Usage from a whole answer: parsed once; estimated with the tokenizer when the upstream left it out. */
async function usageOfAnswer(
  endpoint: Endpoint,
  request: ParsedRequest,
  prompt: readonly string[],
  contentType: string,
  body: Buffer,
  model: string,
): Promise<{ usage: Usage; modelUsed: string }> {
  let data: Record<string, unknown> = {};
  if (contentType.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (isRecord(parsed)) data = parsed;
    } catch {
      // A 2xx that is not JSON: passed on as it came, with usage estimated below.
    }
  }
  const modelUsed = typeof data.model === 'string' && data.model !== '' ? data.model : model;
  const wire = !isRecord(data.usage)
    ? null
    : endpoint === 'messages'
      ? usageFromAnthropic(data.usage)
      : usageFromWire(data.usage);
  if (endpoint === 'images') {
    const usage = wire ?? emptyUsage();
    usage.images = Array.isArray(data.data) ? data.data.length : 0;
    return { usage, modelUsed };
  }
  if (wire) return { usage: wire, modelUsed };
  // Speech is billed per character of its input, which the request itself says exactly.
  if (endpoint === 'speech')
    return { usage: { ...emptyUsage(), characters: textsOf(request.json?.input).join('').length }, modelUsed };
  if (endpoint === 'chat' || endpoint === 'responses' || endpoint === 'messages')
    return { usage: await estimateChatUsage(prompt, answerText(endpoint, data)), modelUsed };
  const input = request.json?.input;
  const texts =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input)
        ? input.filter((t): t is string => typeof t === 'string')
        : [];
  if (texts.length === 0) return { usage: emptyUsage(), modelUsed };
  return { usage: { ...emptyUsage(), prompt_tokens: await countTokens(texts), estimated: true }, modelUsed };
}

/** The text of a whole answer: chat's first choice, the Responses output messages, Messages' text blocks. */
function answerText(endpoint: Endpoint, data: Record<string, unknown>): string {
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
  if (endpoint === 'messages') return textsOf(data.content).join('');
  if (endpoint === 'responses')
    return list(data.output)
      .flatMap((item) => textsOf(item.content))
      .join('');
  const first = list(data.choices)[0];
  const message = first && isRecord(first.message) ? first.message : {};
  return typeof message.content === 'string' ? message.content : '';
}
