import type { SimModel, SimModelKind } from './types.js';

/** Thrown by handlers for a 4xx answer; the route wrapper turns it into an OpenAI error body. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * OpenAI's error `type` and default `code` for a status, so SDK error classes and our error mapping see
 * what production sends.
 */
export function errorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 402) return { type: 'insufficient_quota', code: 'insufficient_quota' };
  if (status === 403) return { type: 'invalid_request_error', code: 'permission_denied' };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status === 429) return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

export function defaultErrorMessage(status: number): string {
  if (status === 401) return 'Incorrect API key provided.';
  if (status === 429) return 'Rate limit reached for requests (simulated). Please try again later.';
  if (status === 500) return 'The server had an error while processing your request. Sorry about that!';
  if (status === 503) return 'The engine is currently overloaded, please try again later.';
  return `Simulated upstream error (HTTP ${status}).`;
}

export function jsonResponse(
  status: number,
  body: string | Uint8Array<ArrayBuffer>,
  requestId: string,
  extra?: Record<string, string>,
): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extra },
  });
}

export function errorResponse(
  status: number,
  message: string,
  requestId: string,
  fields: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string> } = {},
): Response {
  const kind = errorKind(status);
  const error = {
    message,
    type: fields.type ?? kind.type,
    param: fields.param ?? null,
    code: fields.code === undefined ? kind.code : fields.code,
  };
  return jsonResponse(status, JSON.stringify({ error }), requestId, fields.headers);
}

/** Which error body a route answers with: OpenAI's, or Anthropic's on the Messages API. */
export type ErrorShape = 'openai' | 'anthropic';

const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** Anthropic's `{"type":"error","error":{"type","message"}}`, with its `request-id` header. */
export function anthropicErrorResponse(
  status: number,
  message: string,
  requestId: string,
  headers?: Record<string, string>,
): Response {
  const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return jsonResponse(status, JSON.stringify({ type: 'error', error: { type, message } }), requestId, {
    'request-id': requestId,
    ...headers,
  });
}

export function httpErrorResponse(err: SimHttpError, requestId: string, shape: ErrorShape = 'openai'): Response {
  if (shape === 'anthropic') return anthropicErrorResponse(err.status, err.message, requestId);
  return errorResponse(err.status, err.message, requestId, { param: err.param, code: err.code });
}

/** The model must exist and be of the endpoint's kind; OpenAI answers both cases with the same 404. */
export function requireModel(models: ReadonlyMap<string, SimModel>, value: unknown, kind: SimModelKind): SimModel {
  if (value === undefined || value === null || value === '') {
    throw new SimHttpError(400, 'You must provide a model parameter.', 'model');
  }
  if (typeof value !== 'string') throw invalidType('model', 'a string', value);
  const model = models.get(value);
  if (!model || model.kind !== kind) {
    throw new SimHttpError(
      404,
      `The model '${value}' does not exist or you do not have access to it.`,
      'model',
      'model_not_found',
    );
  }
  return model;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function invalidType(param: string, expected: string, got: unknown): SimHttpError {
  return new SimHttpError(
    400,
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`,
    param,
    'invalid_type',
  );
}

export function missing(param: string): SimHttpError {
  return new SimHttpError(400, `Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) throw missing(key);
  if (typeof value !== 'string') throw invalidType(key, 'a string', value);
  if (value.length === 0) throw new SimHttpError(400, `'${key}' must not be empty.`, key);
  return value;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidType(key, 'a string', value);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidType(key, 'a boolean', value);
  return value;
}

export function optionalInt(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(key, 'an integer', value);
  if (value < min || value > max) {
    throw new SimHttpError(
      400,
      `Invalid '${key}': ${value} is not in the range ${min}..${max}.`,
      key,
      'integer_out_of_range',
    );
  }
  return value;
}

export function optionalEnum<T extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const match = allowed.find((a) => a === value);
  if (match === undefined) {
    throw new SimHttpError(
      400,
      `Invalid value for '${key}': expected one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
      key,
      'invalid_value',
    );
  }
  return match;
}
