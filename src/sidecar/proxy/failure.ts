/**
 * How a failed proxy call is answered, in the caller's API's own shape: OpenAI's error body for
 * chat, Responses and the rest, Anthropic's `{"type":"error","error":{type,message}}` for Messages;
 * midway through a stream, as that API's final error event. A refusal (a hard quota) carries
 * `x-should-retry: false`, which the Stainless SDKs (`openai`, `@anthropic-ai/sdk`) and Claude Code
 * honour: one refused call stays one refused call instead of a round of retries.
 */
import { LoopGuardError, MissingKeyError, QuotaExceededError, UpstreamError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { MeteredCallError } from '../../metering.js';
import { PassthroughHttpError } from '../../upstream/passthrough.js';
import { openAiError } from './reply.js';
import { ProxyRequestError, type Endpoint } from './request.js';

export type Failure =
  /** The client hung up: nobody to answer. */
  | { kind: 'gone' }
  /** The upstream's own error answer, passed on as it came. */
  | { kind: 'upstream'; status: number; body: Buffer; contentType: string }
  | {
      kind: 'ours';
      status: number;
      message: string;
      type: string;
      code: string | null;
      param: string | null;
      refusal: boolean;
    };

type OwnFailure = Extract<Failure, { kind: 'ours' }>;

export interface FailureAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const ours = (
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  refusal = false,
): OwnFailure => ({ kind: 'ours', status, message, type, code, param, refusal });

export function classifyFailure(error: unknown, logger: Logger): Failure {
  if (error instanceof ProxyRequestError) {
    const code = error.status === 413 ? 'request_too_large' : null;
    return ours(error.status, error.message, 'invalid_request_error', code, error.param);
  }
  if (error instanceof MissingKeyError) return ours(503, error.message, 'server_error', 'upstream_key_missing');
  const cause = error instanceof MeteredCallError ? error.cause : error;
  const message = error instanceof MeteredCallError ? error.message : errorMessage(error);
  if (cause instanceof QuotaExceededError)
    return ours(429, cause.message, 'insufficient_quota', 'insufficient_quota', null, true);
  if (cause instanceof LoopGuardError) return ours(429, cause.message, 'rate_limit_exceeded', 'loop_guard', null, true);
  if (cause instanceof PassthroughHttpError)
    return { kind: 'upstream', status: cause.status ?? 502, body: cause.body, contentType: cause.contentType };
  if (cause instanceof UpstreamError) {
    if (cause.type === 'cancelled') return { kind: 'gone' };
    return ours(cause.type === 'timeout' ? 504 : 502, message, 'server_error', cause.type);
  }
  logger.error('proxy request failed', { error: errorMessage(error) });
  return ours(500, 'the proxy failed internally; see the cometapi-mcp log', 'server_error', null);
}

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

function anthropicError(status: number, message: string): string {
  const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return JSON.stringify({ type: 'error', error: { type, message } });
}

const bodyOf = (endpoint: Endpoint | null, f: OwnFailure): string =>
  endpoint === 'messages' ? anthropicError(f.status, f.message) : openAiError(f.message, f.type, f.code, f.param);

/** The whole answer to a call that failed before anything was sent; null when nobody is listening. */
export function failureAnswer(endpoint: Endpoint | null, failure: Failure): FailureAnswer | null {
  if (failure.kind === 'gone') return null;
  if (failure.kind === 'upstream')
    return { status: failure.status, headers: { 'content-type': failure.contentType }, body: failure.body };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (failure.refusal) headers['x-should-retry'] = 'false';
  return { status: failure.status, headers, body: Buffer.from(bodyOf(endpoint, failure)) };
}

/** The last event of a stream that failed midway, in the stream's own event format. */
export function streamFailureEvent(endpoint: Endpoint | null, failure: Failure): Buffer | null {
  if (failure.kind === 'gone') return null;
  const own: OwnFailure =
    failure.kind === 'ours'
      ? failure
      : ours(failure.status, `upstream answered HTTP ${failure.status}`, 'server_error', null);
  if (endpoint === 'messages') return Buffer.from(`event: error\ndata: ${anthropicError(own.status, own.message)}\n\n`);
  if (endpoint === 'responses') {
    const data = { type: 'error', code: own.code ?? own.type, message: own.message, param: own.param };
    return Buffer.from(`event: error\ndata: ${JSON.stringify(data)}\n\n`);
  }
  return Buffer.from(`data: ${bodyOf(endpoint, own)}\n\n`);
}
