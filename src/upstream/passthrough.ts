/**
 * The proxy's way to an upstream: requests forwarded as bytes over a keep-alive undici Pool, one
 * per provider, built once. Unlike client.ts (the MCP tools' typed client) nothing is parsed
 * here; the proxy reads the few fields it needs itself. Failures become UpstreamErrors so the
 * metering path can retry, fall back and record them like any other call.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, errors as undiciErrors } from 'undici';
import type { Config } from '../config.js';
import { DEFAULT_PROVIDER } from '../config-file.js';
import { UpstreamError, errorMessage, redact } from '../errors.js';
import { classifyStatus, retryAfterMs } from './errors.js';

export interface PassthroughTarget {
  provider: string;
  baseUrl: string;
  /** null for local servers (Ollama, vLLM) that take no key. */
  apiKey: string | null;
}

export interface ForwardRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path below the base URL, with its query: `/chat/completions`, `/models?x=1`. */
  path: string;
  contentType: string | null;
  accept: string | null;
  /** Further headers the API needs from the client (anthropic-version); never credentials. */
  headers?: Record<string, string>;
  body: Buffer | null;
  signal: AbortSignal;
}

export interface ForwardResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: AsyncIterable<Buffer> & { destroy(error?: Error): void };
}

/** An upstream answer with an error status; its bytes go back to the caller as they came. */
export class PassthroughHttpError extends UpstreamError {
  constructor(
    status: number,
    readonly body: Buffer,
    readonly contentType: string,
    fields: { code: string | null; message: string; retryAfterMs: number | null; requestId: string | null },
  ) {
    const { type, retryable } = classifyStatus(status, fields.code, fields.message);
    super({
      status,
      type,
      message: fields.message,
      retryable,
      retryAfterMs: fields.retryAfterMs,
      requestId: fields.requestId,
    });
  }
}

export interface Passthrough {
  /** Sends the request to the provider's upstream; throws UpstreamError for anything but a 2xx. */
  forward(provider: string, request: ForwardRequest): Promise<ForwardResponse>;
  close(): Promise<void>;
}

export interface PassthroughOptions {
  targets: readonly PassthroughTarget[];
  /** Waiting for headers, and for each next chunk of a body. */
  timeoutMs: number;
  /** Error bodies larger than this are cut: they are read whole to be passed on. */
  maxErrorBodyBytes?: number;
}

/** The built-in provider (COMETAPI_BASE_URL/COMETAPI_KEY) and every configured one that has its key. */
export function passthroughTargets(config: Config, defaultProvider = DEFAULT_PROVIDER): PassthroughTarget[] {
  const targets: PassthroughTarget[] = config.key
    ? [{ provider: defaultProvider, baseUrl: config.baseUrl, apiKey: config.key }]
    : [];
  for (const p of config.routing.providers) {
    if (p.apiKeyEnv === null || p.apiKey)
      targets.push({ provider: p.name, baseUrl: p.baseUrl, apiKey: p.apiKey ?? null });
  }
  return targets;
}

interface PreparedTarget {
  pool: Pool;
  basePath: string;
  authorization: string | null;
  secrets: string[];
}

const headerValue = (value: string | string[] | undefined): string | null =>
  Array.isArray(value) ? (value[0] ?? null) : (value ?? null);

export function createPassthrough(options: PassthroughOptions): Passthrough {
  const maxErrorBody = options.maxErrorBodyBytes ?? 64 * 1024;
  const prepared = new Map<string, PreparedTarget>();
  for (const t of options.targets) {
    const url = new URL(t.baseUrl);
    prepared.set(t.provider, {
      // No connection cap: a thousand concurrent streams need a thousand sockets, not a queue.
      pool: new Pool(url.origin, {
        keepAliveTimeout: 30_000,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      }),
      basePath: url.pathname.replace(/\/+$/, ''),
      authorization: t.apiKey ? `Bearer ${t.apiKey}` : null,
      secrets: t.apiKey ? [t.apiKey] : [],
    });
  }

  async function forward(provider: string, request: ForwardRequest): Promise<ForwardResponse> {
    const target = prepared.get(provider);
    if (!target) {
      throw new UpstreamError({
        status: null,
        type: 'auth',
        message: `provider '${provider}' has no key configured for the proxy`,
        retryable: false,
      });
    }
    const headers: Record<string, string> = { ...request.headers };
    if (target.authorization) headers.authorization = target.authorization;
    if (request.contentType) headers['content-type'] = request.contentType;
    if (request.accept) headers.accept = request.accept;
    let response;
    try {
      response = await target.pool.request({
        path: target.basePath + request.path,
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
      });
    } catch (error) {
      throw passthroughFailure(error, request.signal, options.timeoutMs, target.secrets);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }
    throw await httpError(response.statusCode, response.headers, response.body, maxErrorBody, target.secrets);
  }

  return {
    forward,
    close: async () => {
      await Promise.all([...prepared.values()].map((t) => t.pool.close()));
    },
  };
}

async function httpError(
  status: number,
  headers: IncomingHttpHeaders,
  body: AsyncIterable<Buffer>,
  max: number,
  secrets: string[],
): Promise<UpstreamError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > max) break;
    chunks.push(chunk);
    size += chunk.length;
  }
  const bytes = Buffer.concat(chunks);
  let code: string | null = null;
  let message = `upstream answered HTTP ${status}`;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    const error = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? parsed.error : null;
    if (typeof error === 'object' && error !== null) {
      if ('code' in error && typeof error.code === 'string') code = error.code;
      if ('message' in error && typeof error.message === 'string') message = error.message;
    }
  } catch {
    // Not JSON (an HTML error page from a load balancer): the status says enough.
  }
  const webHeaders = new Headers();
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = headerValue(headers[name]);
    if (value !== null) webHeaders.set(name, value);
  }
  return new PassthroughHttpError(status, bytes, headerValue(headers['content-type']) ?? 'application/json', {
    code,
    message: redact(message, secrets).slice(0, 500),
    retryAfterMs: retryAfterMs(webHeaders),
    requestId: headerValue(headers['x-request-id']),
  });
}

/** A request that got no answer: timeouts and broken connections may pass on a retry, a caller's cancel never. */
export function passthroughFailure(
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  secrets: readonly string[],
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (signal.aborted)
    return new UpstreamError({
      status: null,
      type: 'cancelled',
      message: 'the caller went away before the answer was complete',
      retryable: false,
    });
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new UpstreamError({
      status: null,
      type: 'timeout',
      message: `the upstream sent nothing for ${timeoutMs} ms`,
      retryable: true,
    });
  }
  return new UpstreamError({
    status: null,
    type: 'connection_error',
    message: redact(`connection failed: ${errorMessage(error)}`, secrets).slice(0, 500),
    retryable: true,
  });
}
