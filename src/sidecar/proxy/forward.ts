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
import { countTokens, emptyUsage, estimateChatUsage, usageFromWire, type Usage } from '../../upstream/usage.js';
import { UpstreamError } from '../../errors.js';
import { ResponseTooLargeError } from '../../upstream/body-cap.js';
import type { Reply } from './reply.js';
import { bodyForAttempt, textsOf, type Endpoint, type ParsedRequest } from './request.js';
import { createSseScanner, type StreamObservation } from './sse.js';

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

function promptTexts(json: Record<string, unknown> | null): string[] {
  const messages = json && Array.isArray(json.messages) ? json.messages : [];
  return messages.flatMap((m) => (isRecord(m) && typeof m.content === 'string' ? [m.content] : []));
}

export function proxyOperation(ctx: ForwardContext): Operation<BufferedAnswer | null> {
  const { request, reply } = ctx;
  const addUsage = request.stream && !request.clientAskedUsage;
  // The stream being forwarded, so a call cut off midway can still be charged what it streamed.
  let streaming: StreamObservation | null = null;
  return {
    model: request.model,
    stream: request.stream,
    estimate: request.estimate,
    forwarded: () => reply.started,
    partialUsage: async () => {
      if (!reply.started || !streaming) return null;
      return streaming.usage ?? (await estimateChatUsage(promptTexts(request.json), streaming.text));
    },
    async attempt(client, model) {
      const started = ctx.now();
      const answer = await ctx.passthrough.forward(client.provider, {
        method: 'POST',
        path: ctx.path,
        contentType: ctx.contentType,
        accept: ctx.accept,
        body: bodyForAttempt(request, model, addUsage),
        signal: reply.signal,
      });
      const requestId = header(answer.headers, 'x-request-id');
      const contentType = header(answer.headers, 'content-type') ?? '';
      if (request.stream && contentType.includes('text/event-stream')) {
        const scanner = createSseScanner({ started, now: ctx.now, dropAddedUsage: addUsage });
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
        const usage = seen.usage ?? (await estimateChatUsage(promptTexts(request.json), seen.text));
        return done(null, seen.model ?? model, usage, seen.ttftMs, requestId, answer.status);
      }
      const body = await readCapped(answer.body, ctx.maxResponseBytes, reply.signal, ctx.timeoutMs);
      const { usage, modelUsed } = await usageOfAnswer(ctx.endpoint, request, contentType, body, model);
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
  const wire = isRecord(data.usage) ? usageFromWire(data.usage) : null;
  if (endpoint === 'images') {
    const usage = wire ?? emptyUsage();
    usage.images = Array.isArray(data.data) ? data.data.length : 0;
    return { usage, modelUsed };
  }
  if (wire) return { usage: wire, modelUsed };
  // Speech is billed per character of its input, which the request itself says exactly.
  if (endpoint === 'speech')
    return { usage: { ...emptyUsage(), characters: textsOf(request.json?.input).join('').length }, modelUsed };
  if (endpoint === 'chat') {
    const choices = Array.isArray(data.choices) ? data.choices : [];
    const first: unknown = choices[0];
    const message = isRecord(first) && isRecord(first.message) ? first.message : {};
    return {
      usage: await estimateChatUsage(
        promptTexts(request.json),
        typeof message.content === 'string' ? message.content : '',
      ),
      modelUsed,
    };
  }
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
