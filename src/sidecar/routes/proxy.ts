/**
 * /v1/*: a metering proxy speaking the three text APIs CometAPI serves (Chat Completions, the
 * Responses API, Anthropic Messages) plus embeddings, images and audio. A client's own calls
 * (CherryStudio's provider pointed at http://127.0.0.1:8790/v1, Claude Code, Codex) go through
 * metering.run like every MCP tool call, so they are recorded, priced and held to quotas; the
 * configured upstream key is used, never the client's. Mounted at /v1 behind the sidecar's
 * Host/Origin/token checks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { UpstreamError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CallContext, Metering } from '../../metering.js';
import { proxySessionId } from '../../sessions/ids.js';
import { fingerprintOf, type LoopGuard } from '../../sessions/loop-guard.js';
import { passthroughFailure, type ForwardRequest, type Passthrough } from '../../upstream/passthrough.js';
import { classifyFailure, failureAnswer, streamFailureEvent } from '../proxy/failure.js';
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
  /** Identical bodies repeated in one session are refused past its limit. */
  loopGuard?: LoopGuard;
}

type ProxyContext = Context<{ Bindings: HttpBindings }>;

const JSON_ENDPOINTS: ReadonlyArray<[string, Endpoint]> = [
  ['/chat/completions', 'chat'],
  ['/responses', 'responses'],
  ['/messages', 'messages'],
  ['/embeddings', 'embeddings'],
  ['/images/generations', 'images'],
  ['/audio/speech', 'speech'],
];
const UPLOAD_ENDPOINTS: ReadonlyArray<[string, Endpoint]> = [
  ['/audio/transcriptions', 'transcription'],
  ['/audio/translations', 'translation'],
];

/** What the Messages API needs from the client besides the body; credentials are never passed on. */
const PASSED_REQUEST_HEADERS = ['anthropic-version', 'anthropic-beta'];

function passedRequestHeaders(c: ProxyContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_REQUEST_HEADERS) {
    const value = c.req.header(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const notUnderNode = (c: ProxyContext) =>
  c.json(JSON.parse(openAiError('the proxy runs only under the Node server', 'server_error', null)), 501);

export function createProxyRoutes(deps: ProxyRoutesDeps): Hono<{ Bindings: HttpBindings }> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => performance.now());
  const app = new Hono<{ Bindings: HttpBindings }>();

  /** Answers a failure in the API's own shape; mid-stream, as that API's final error event. */
  function fail(reply: Reply, error: unknown, endpoint: Endpoint | null): void {
    const failure = classifyFailure(error, deps.logger);
    if (!reply.started) {
      const answer = failureAnswer(endpoint, failure);
      if (answer) reply.send(answer.status, answer.headers, answer.body);
      return;
    }
    reply.end(streamFailureEvent(endpoint, failure) ?? undefined);
  }

  /** Who is calling and in which session; the body is counted by the loop guard in that session. */
  function callContext(headers: IncomingHttpHeaders, tool: string, body: Buffer): CallContext {
    const session = proxySessionId(headers);
    const loop =
      session && deps.loopGuard?.enabled
        ? deps.loopGuard.observe(session, `${tool} request`, fingerprintOf(body), Date.now())
        : undefined;
    return { source: 'proxy', client: callerName(headers), tool, session, loop };
  }

  const metered = (endpoint: Endpoint, upload: boolean) => async (c: ProxyContext) => {
    if (!c.env?.incoming) return notUnderNode(c);
    const { incoming, outgoing } = c.env;
    const reply = createReply(outgoing);
    const contentType = c.req.header('content-type') ?? null;
    try {
      const bytes = await readBody(incoming, upload ? limits.uploadBytes : limits.jsonBytes);
      const request = upload
        ? parseMultipartRequest(endpoint, bytes, contentType)
        : parseJsonRequest(endpoint, bytes, contentType, deps.defaultImageModel);
      const path = c.req.path.replace(/^\/v1/, '');
      const ctx = callContext(incoming.headers, `/v1${path}`, bytes);
      const operation = proxyOperation({
        endpoint,
        path,
        request,
        contentType,
        accept: c.req.header('accept') ?? null,
        headers: passedRequestHeaders(c),
        reply,
        passthrough: deps.passthrough,
        maxResponseBytes: deps.maxResponseBytes,
        timeoutMs: deps.timeoutMs,
        now,
      });
      const result = await deps.metering.run(ctx, operation);
      if (result.value) reply.send(result.value.status, result.value.headers, result.value.body);
    } catch (error) {
      fail(reply, error, endpoint);
    }
    return RESPONSE_ALREADY_SENT;
  };

  for (const [path, endpoint] of JSON_ENDPOINTS) app.post(path, metered(endpoint, false));
  for (const [path, endpoint] of UPLOAD_ENDPOINTS) app.post(path, metered(endpoint, true));

  // Listing models, reading or deleting a stored response and counting a prompt's tokens cost nothing
  // and bill no model, so they are passed through without a ledger row (a cost quota would otherwise
  // refuse them as "unpriced"); see docs/decisions/0014-proxy-security.md.
  const passedThrough = (method: ForwardRequest['method'], endpoint: Endpoint | null) => async (c: ProxyContext) => {
    if (!c.env?.incoming) return notUnderNode(c);
    const reply = createReply(c.env.outgoing);
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^\/v1/, '') + url.search;
    try {
      const body = method === 'POST' ? await readBody(c.env.incoming, limits.jsonBytes) : null;
      const answer = await deps.passthrough.forward(deps.defaultProvider, {
        method,
        path,
        contentType: body ? (c.req.header('content-type') ?? 'application/json') : null,
        accept: 'application/json',
        headers: passedRequestHeaders(c),
        body,
        signal: reply.signal,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body) chunks.push(chunk);
      reply.send(answer.status, { 'content-type': 'application/json' }, Buffer.concat(chunks));
    } catch (error) {
      const failure =
        error instanceof UpstreamError || error instanceof ProxyRequestError
          ? error
          : passthroughFailure(error, reply.signal, deps.timeoutMs, []);
      fail(reply, failure, endpoint);
    }
    return RESPONSE_ALREADY_SENT;
  };
  app.get('/models', passedThrough('GET', null));
  app.get('/models/:id{.+}', passedThrough('GET', null));
  app.get('/responses/:id{.+}', passedThrough('GET', 'responses'));
  app.delete('/responses/:id', passedThrough('DELETE', 'responses'));
  app.post('/messages/count_tokens', passedThrough('POST', 'messages'));

  app.all('*', (c) =>
    c.body(
      openAiError(
        `this proxy has no ${c.req.method} ${c.req.path}; it serves chat/completions, responses, messages, embeddings, images/generations, audio/* and models`,
        'invalid_request_error',
        'unknown_url',
      ),
      404,
      JSON_HEADERS,
    ),
  );
  return app;
}
