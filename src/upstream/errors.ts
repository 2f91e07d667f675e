import OpenAI from 'openai';
import { UpstreamError, errorMessage, redact } from '../errors.js';
import { findTooLarge } from './body-cap.js';

export function retryAfterMs(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after-ms') ?? null;
  if (value !== null && Number.isFinite(Number(value))) return Number(value);
  const seconds = headers?.get('retry-after') ?? null;
  if (seconds === null) return null;
  if (Number.isFinite(Number(seconds))) return Number(seconds) * 1000;
  const date = Date.parse(seconds);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Which failures are worth trying again: they may pass on a later attempt. */
export function classifyStatus(
  status: number,
  code: string | null | undefined,
  message: string,
): { type: string; retryable: boolean } {
  // Aggregators answer "no channel for this model" with 404, 400 or 503 alike; the code is what says so.
  if (code === 'model_not_found') return { type: 'model_not_found', retryable: false };
  if (status === 402 || code === 'insufficient_quota') return { type: 'insufficient_quota', retryable: false };
  if (status === 429) return { type: 'rate_limit', retryable: true };
  if (status === 401 || status === 403) return { type: 'auth', retryable: false };
  // Ollama and vLLM send no code, only "model \"x\" not found" on the (otherwise fixed) endpoint.
  if (status === 404) return { type: /\bmodel\b/i.test(message) ? 'model_not_found' : 'not_found', retryable: false };
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
  const tooLarge = findTooLarge(error);
  // The same upstream would most likely send the same flood again: not worth a retry.
  if (tooLarge)
    return new UpstreamError({ status: null, type: 'response_too_large', message: tooLarge.message, retryable: false });
  if (ctx.timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError({
      status: null,
      type: 'timeout',
      message: `no complete answer within ${ctx.timeoutMs} ms`,
      retryable: true,
    });
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new UpstreamError({
      status: null,
      type: 'cancelled',
      message: 'the request was cancelled',
      retryable: false,
    });
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
    const { type, retryable } = classifyStatus(error.status, error.code, error.message);
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

/**
 * The same failure, made final: once part of an answer has gone on to the caller, another
 * attempt would splice a second answer onto the first, so it is neither retried nor failed over.
 */
export function finalAfterForwarding(error: UpstreamError): UpstreamError {
  if (!error.retryable) return error;
  return new UpstreamError({
    status: error.status,
    type: error.type,
    message: `${error.message} (part of the answer had already been sent on, so it was not retried)`,
    retryable: false,
    retryAfterMs: error.retryAfterMs,
    requestId: error.requestId,
  });
}
