/**
 * /v1/*: an OpenAI-compatible metering proxy. A client's own chats (CherryStudio's provider
 * pointed at http://127.0.0.1:8790/v1) go through metering.run like every MCP tool call, so they
 * are recorded, priced and held to quotas; the configured upstream key is used, never the
 * client's. Mounted at /v1 behind the sidecar's Host/Origin/token checks.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { MissingKeyError, QuotaExceededError, UpstreamError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { MeteredCallError, type Metering } from '../../metering.js';
import { PassthroughHttpError, passthroughFailure, type Passthrough } from '../../upstream/passthrough.js';
import { proxyOperation } from '../proxy/forward.js';
import { createReply, JSON_HEADERS, openAiError, type Reply } from '../proxy/reply.js';
import {
  callerName,
  parseJsonRequest,
  parseMultipartRequest,
  ProxyRequestError,
  readBody,
  type Endpoint,
} from '../proxy/request.js';

export interface ProxyLimits {
  /** JSON bodies: chats may carry images inline as base64. */
  jsonBytes: number;
  /** Multipart uploads (audio): OpenAI accepts audio files up to 25 MB. */
  uploadBytes: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = { jsonBytes: 16 * 1024 * 1024, uploadBytes: 32 * 1024 * 1024 };

export interface ProxyRoutesDeps {
  metering: Metering;
  passthrough: Passthrough;
  logger: Logger;
  /** Where model listings go: the built-in provider. */
  defaultProvider: string;
  /** The image model OpenAI would default to when a request names none. */
  defaultImageModel: string;
  maxResponseBytes: number;
  timeoutMs: number;
  limits?: Partial<ProxyLimits>;
  now?: () => number;
}

type ProxyContext = Context<{ Bindings: HttpBindings }>;

const JSON_ENDPOINTS: ReadonlyArray<[string, Endpoint]> = [
  ['/chat/completions', 'chat'],
  ['/embeddings', 'embeddings'],
  ['/images/generations', 'images'],
  ['/audio/speech', 'speech'],
];
const UPLOAD_ENDPOINTS: ReadonlyArray<[string, Endpoint]> = [
  ['/audio/transcriptions', 'transcription'],
  ['/audio/translations', 'translation'],
];

export function createProxyRoutes(deps: ProxyRoutesDeps): Hono<{ Bindings: HttpBindings }> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => performance.now());
  const app = new Hono<{ Bindings: HttpBindings }>();

  /** Answers a failure in OpenAI's shape; mid-stream, as a final SSE error event. */
  function fail(reply: Reply, error: unknown): void {
    const { status, body, contentType } = failureAnswer(error, deps.logger);
    if (status === 0) return; // the client is gone: nobody to answer
    if (!reply.started) return reply.send(status, { 'content-type': contentType }, body);
    reply.end(Buffer.from(`data: ${body.toString('utf8')}\n\n`));
  }

  const metered = (endpoint: Endpoint, upload: boolean) => async (c: ProxyContext) => {
    if (!c.env?.incoming)
      return c.json(JSON.parse(openAiError('the proxy runs only under the Node server', 'server_error', null)), 501);
    const { incoming, outgoing } = c.env;
    const reply = createReply(outgoing);
    const contentType = c.req.header('content-type') ?? null;
    try {
      const bytes = await readBody(incoming, upload ? limits.uploadBytes : limits.jsonBytes);
      const request = upload
        ? parseMultipartRequest(endpoint, bytes, contentType)
        : parseJsonRequest(endpoint, bytes, contentType, deps.defaultImageModel);
      const path = c.req.path.replace(/^\/v1/, '');
      const ctx = { source: 'proxy' as const, client: callerName(incoming.headers), tool: `/v1${path}` };
      const operation = proxyOperation({
        endpoint,
        path,
        request,
        contentType,
        accept: c.req.header('accept') ?? null,
        reply,
        passthrough: deps.passthrough,
        maxResponseBytes: deps.maxResponseBytes,
        timeoutMs: deps.timeoutMs,
        now,
      });
      const result = await deps.metering.run(ctx, operation);
      if (result.value) reply.send(result.value.status, result.value.headers, result.value.body);
    } catch (error) {
      fail(reply, error);
    }
    return RESPONSE_ALREADY_SENT;
  };

  for (const [path, endpoint] of JSON_ENDPOINTS) app.post(path, metered(endpoint, false));
  for (const [path, endpoint] of UPLOAD_ENDPOINTS) app.post(path, metered(endpoint, true));

  // Listing models costs nothing and names no model, so it is passed through without a ledger row
  // (a cost quota would otherwise refuse it as "unpriced"); see docs/decisions/0014-proxy-security.md.
  const listModels = async (c: ProxyContext) => {
    if (!c.env?.incoming)
      return c.json(JSON.parse(openAiError('the proxy runs only under the Node server', 'server_error', null)), 501);
    const reply = createReply(c.env.outgoing);
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^\/v1/, '') + url.search;
    try {
      const answer = await deps.passthrough.forward(deps.defaultProvider, {
        method: 'GET',
        path,
        contentType: null,
        accept: 'application/json',
        body: null,
        signal: reply.signal,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body) chunks.push(chunk);
      reply.send(answer.status, { 'content-type': 'application/json' }, Buffer.concat(chunks));
    } catch (error) {
      fail(reply, error instanceof UpstreamError ? error : passthroughFailure(error, reply.signal, deps.timeoutMs, []));
    }
    return RESPONSE_ALREADY_SENT;
  };
  app.get('/models', listModels);
  app.get('/models/:id{.+}', listModels);

  app.all('*', (c) =>
    c.body(
      openAiError(
        `this proxy has no ${c.req.method} ${c.req.path}; it serves chat/completions, embeddings, images/generations, audio/* and models`,
        'invalid_request_error',
        'unknown_url',
      ),
      404,
      JSON_HEADERS,
    ),
  );
  return app;
}

interface FailureAnswer {
  /** 0: nothing to send (the client hung up). */
  status: number;
  body: Buffer;
  contentType: string;
}

function failureAnswer(error: unknown, logger: Logger): FailureAnswer {
  const json = (
    status: number,
    message: string,
    type: string,
    code: string | null,
    param: string | null = null,
  ): FailureAnswer => ({
    status,
    body: Buffer.from(openAiError(message, type, code, param)),
    contentType: 'application/json',
  });
  if (error instanceof ProxyRequestError) {
    return json(
      error.status,
      error.message,
      'invalid_request_error',
      error.status === 413 ? 'request_too_large' : null,
      error.param,
    );
  }
  if (error instanceof MissingKeyError) return json(503, error.message, 'server_error', 'upstream_key_missing');
  const cause = error instanceof MeteredCallError ? error.cause : error;
  const message = error instanceof MeteredCallError ? error.message : errorMessage(error);
  if (cause instanceof QuotaExceededError) return json(429, cause.message, 'insufficient_quota', 'insufficient_quota');
  // The upstream's own answer, as it came: status and body.
  if (cause instanceof PassthroughHttpError)
    return { status: cause.status ?? 502, body: cause.body, contentType: cause.contentType };
  if (cause instanceof UpstreamError) {
    if (cause.type === 'cancelled') return { status: 0, body: Buffer.alloc(0), contentType: '' };
    return json(cause.type === 'timeout' ? 504 : 502, message, 'server_error', cause.type);
  }
  logger.error('proxy request failed', { error: errorMessage(error) });
  return json(500, 'the proxy failed internally; see the cometapi-mcp log', 'server_error', null);
}
