import OpenAI from 'openai';
import { UpstreamError, errorMessage, redact } from '../errors.js';

function retryAfterMs(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after-ms') ?? null;
  if (value !== null && Number.isFinite(Number(value))) return Number(value);
  const seconds = headers?.get('retry-after') ?? null;
  if (seconds === null) return null;
  if (Number.isFinite(Number(seconds))) return Number(seconds) * 1000;
  const date = Date.parse(seconds);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Which failures are worth trying again: they may pass on a later attempt. */
function classifyStatus(status: number, code: string | null | undefined): { type: string; retryable: boolean } {
  if (status === 429) {
    return code === 'insufficient_quota'
      ? { type: 'insufficient_quota', retryable: false }
      : { type: 'rate_limit', retryable: true };
  }
  if (status === 401 || status === 403) return { type: 'auth', retryable: false };
  if (status === 404) return { type: code === 'model_not_found' ? 'model_not_found' : 'not_found', retryable: false };
  if (status === 408 || status === 409) return { type: 'timeout', retryable: true };
  if (status >= 500) return { type: 'server_error', retryable: true };
  return { type: 'bad_request', retryable: false };
}

export interface ConvertContext {
  /** True when the attempt was aborted by our own per-attempt timer. */
  timedOut: boolean;
  timeoutMs: number;
  secrets: readonly string[];
}

/** Turns anything the openai package (or a stream) throws into an UpstreamError. */
export function toUpstreamError(error: unknown, ctx: ConvertContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const clean = (text: string) => redact(text, ctx.secrets).slice(0, 500);
  if (ctx.timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError({
      status: null,
      type: 'timeout',
      message: `no complete answer within ${ctx.timeoutMs} ms`,
      retryable: true,
    });
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new UpstreamError({ status: null, type: 'cancelled', message: 'the request was cancelled', retryable: false });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new UpstreamError({
      status: null,
      type: 'connection_error',
      message: clean(`connection failed: ${errorMessage(error.cause ?? error)}`),
      retryable: true,
    });
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const { type, retryable } = classifyStatus(error.status, error.code);
    return new UpstreamError({
      status: error.status,
      type,
      message: clean(error.message),
      retryable,
      retryAfterMs: retryAfterMs(error.headers),
      requestId: error.requestID ?? null,
    });
  }
  // JSON that does not parse, a socket closed mid-body: the answer was broken in transit.
  return new UpstreamError({
    status: null,
    type: error instanceof SyntaxError ? 'malformed_response' : 'connection_error',
    message: clean(errorMessage(error)),
    retryable: true,
  });
}
