import { Hono } from 'hono';
import type { Context } from 'hono';
import { handleSpeech, handleTranscription } from './audio.js';
import { createSimBilling } from './billing.js';
import { handleChat } from './chat.js';
import { handleEmbeddings } from './embeddings.js';
import { applyFault, CHAT_PATH, createFaultQueue, cutStream } from './faults.js';
import { handleImages, serveFile } from './images.js';
import { createPngEncoder } from './media.js';
import { handleCountTokens, handleMessages } from './messages.js';
import {
  SimHttpError,
  anthropicErrorResponse,
  errorResponse,
  httpErrorResponse,
  isRecord,
  jsonResponse,
  type ErrorShape,
} from './protocol.js';
import { deleteResponse, getResponse, handleResponses } from './responses.js';
import { createBoundedMap, createFileStore, sleep } from './runtime.js';
import type { Handler, HandlerResult, SimRuntime } from './runtime.js';
import type { SimFault, SimModel, SimRecordedResponse, SimulatedUpstream, SimulatedUpstreamOptions } from './types.js';

export const DEFAULT_SIM_MODELS: readonly SimModel[] = [
  { id: 'gpt-4o-mini', kind: 'chat', owned_by: 'openai' },
  { id: 'gpt-4o', kind: 'chat', owned_by: 'openai' },
  { id: 'gpt-5-mini', kind: 'chat', owned_by: 'openai' },
  { id: 'claude-sonnet-4-20250514', kind: 'chat', owned_by: 'anthropic' },
  { id: 'claude-sonnet-4-5-20250929', kind: 'chat', owned_by: 'anthropic' },
  { id: 'claude-haiku-4-5-20251001', kind: 'chat', owned_by: 'anthropic' },
  { id: 'gemini-2.5-flash', kind: 'chat', owned_by: 'google' },
  { id: 'deepseek-v3', kind: 'chat', owned_by: 'deepseek' },
  { id: 'dall-e-3', kind: 'image', owned_by: 'openai' },
  { id: 'gpt-image-1', kind: 'image', owned_by: 'openai' },
  { id: 'text-embedding-3-small', kind: 'embedding', owned_by: 'openai', dimensions: 1536 },
  { id: 'text-embedding-3-large', kind: 'embedding', owned_by: 'openai', dimensions: 3072 },
  { id: 'tts-1', kind: 'audio-speech', owned_by: 'openai' },
  { id: 'whisper-1', kind: 'audio-transcription', owned_by: 'openai' },
];

/** A fixed `created` for listed models, so the model list is byte-identical across runs. */
const MODELS_CREATED = 1_715_367_049;
/** CometAPI's query service path; the simulator serves it beside /v1 (fault path "/user/quota"). */
export const QUOTA_PATH = '/user/quota';
const MAX_RECORDED = 10_000;
const MAX_FILES = 100;
const MAX_STORED_RESPONSES = 1_000;
const MAX_CACHED_PROMPTS = 1_000;
const ERROR_RATE_FAULTS: readonly SimFault[] = [
  { kind: 'status', status: 429, retryAfterSeconds: 1 },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 503 },
];

type BodyKind = 'none' | 'json' | 'form';

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`simulated upstream: ${name} must be a finite number >= 0, got ${value}`);
  return value;
}

async function readBody(c: Context, kind: BodyKind): Promise<Record<string, unknown> | SimHttpError> {
  if (kind === 'none') return {};
  if (kind === 'form') {
    const type = c.req.header('content-type') ?? '';
    if (!type.includes('multipart/form-data') && !type.includes('application/x-www-form-urlencoded')) {
      return new SimHttpError(400, 'This endpoint expects a multipart/form-data body with a file and a model.');
    }
    try {
      return await c.req.parseBody();
    } catch {
      return new SimHttpError(400, 'Could not parse the multipart/form-data body.');
    }
  }
  const text = await c.req.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // fall through to the same 400 as a non-object body
  }
  return new SimHttpError(400, 'We could not parse the JSON body of your request. The body must be a JSON object.');
}

export function createSimulatedUpstream(options: SimulatedUpstreamOptions = {}): SimulatedUpstream {
  const latencyMs = nonNegative('latencyMs', options.latencyMs ?? 15);
  const jitterMs = nonNegative('jitterMs', options.jitterMs ?? 0);
  const errorRate = nonNegative('errorRate', options.errorRate ?? 0);
  const random = options.random ?? Math.random;
  const models = new Map((options.models ?? DEFAULT_SIM_MODELS).map((m) => [m.id, m] as const));
  const modelsBody = JSON.stringify({
    object: 'list',
    data: [...models.values()].map((m) => ({
      id: m.id,
      object: 'model',
      created: MODELS_CREATED,
      owned_by: m.owned_by ?? 'cometapi',
    })),
  });

  let seq = 0;
  let requests = 0;
  const responses: SimRecordedResponse[] = [];
  const nextId = (prefix: string): string => `${prefix}${(++seq).toString(16).padStart(8, '0')}`;
  const rt: SimRuntime = {
    tokensPerSecond: nonNegative('tokensPerSecond', options.tokensPerSecond ?? 400),
    models,
    encoder: new TextEncoder(),
    png: createPngEncoder(),
    files: createFileStore(MAX_FILES, nextId),
    imageUrlsOnly: options.imageUrlsOnly ?? false,
    promptCache: createBoundedMap(MAX_CACHED_PROMPTS),
    storedResponses: createBoundedMap(MAX_STORED_RESPONSES),
    nextId,
  };
  const faults = createFaultQueue();
  const billing = createSimBilling(options.billing);
  const record = (entry: SimRecordedResponse): void => {
    responses.push(entry);
    if (responses.length > MAX_RECORDED) responses.splice(0, responses.length - MAX_RECORDED);
  };

  const endpoint =
    (routePath: string, bodyKind: BodyKind, handler: Handler, shape: ErrorShape = 'openai') =>
    async (c: Context): Promise<Response> => {
      const body = await readBody(c, bodyKind);
      const parsed = body instanceof SimHttpError ? {} : body;
      const model = typeof parsed.model === 'string' ? parsed.model : '';
      const base = { path: c.req.path, model, stream: parsed.stream === true };
      const requestId = nextId('req_sim');
      const fault =
        faults.take(routePath, c.req.path, model, bodyKind === 'none') ??
        (routePath === CHAT_PATH && errorRate > 0 && random() < errorRate
          ? ERROR_RATE_FAULTS[Math.floor(random() * ERROR_RATE_FAULTS.length)]
          : undefined);
      // On Responses and Messages streams, reset and malformed faults cut the real stream short.
      const cuts = (fault?.kind === 'reset' || fault?.kind === 'malformed') && base.stream && routePath !== CHAT_PATH;
      if (fault && fault.kind !== 'no-usage' && !cuts) {
        const target = { routePath, model, stream: base.stream, requestId, chatId: nextId('chatcmpl-sim'), shape };
        return applyFault(c, fault, target, (status) => record({ ...base, status, usage: null, fault: fault.kind }));
      }
      let result: HandlerResult;
      try {
        if (body instanceof SimHttpError) throw body;
        result = await handler(c, body, rt, { requestId, omitUsage: fault?.kind === 'no-usage' });
      } catch (err) {
        if (!(err instanceof SimHttpError)) throw err;
        result = { response: httpErrorResponse(err, requestId, shape), usage: null };
      }
      if (cuts && fault && result.response.ok) {
        record({ ...base, status: 200, usage: null, fault: fault.kind });
        return cutStream(c, result.response, fault.kind === 'reset');
      }
      const entry = { ...base, status: result.response.status, usage: result.usage, fault: fault?.kind ?? null };
      record(entry);
      billing.charge(entry, parsed);
      return result.response;
    };

  const listModels: Handler = (_c, _body, _rt, req) => ({
    response: jsonResponse(200, modelsBody, req.requestId),
    usage: null,
  });
  const getModel: Handler = (c, _body, _rt, req) => {
    const m = models.get(c.req.param('model') ?? '');
    if (!m)
      throw new SimHttpError(
        404,
        `The model '${c.req.param('model') ?? ''}' does not exist`,
        'model',
        'model_not_found',
      );
    const json = JSON.stringify({
      id: m.id,
      object: 'model',
      created: MODELS_CREATED,
      owned_by: m.owned_by ?? 'cometapi',
    });
    return { response: jsonResponse(200, json, req.requestId), usage: null };
  };
  // CometAPI's query service takes the key in the query string (checked in the middleware).
  const userQuota: Handler = (c, _body, _rt, req) => ({
    response: jsonResponse(
      200,
      JSON.stringify(billing.quota(c.req.query('start_date'), c.req.query('end_date'))),
      req.requestId,
    ),
    usage: null,
  });
  const getFile: Handler = (c, _body, _rt, req) => ({ response: serveFile(c, rt, req.requestId), usage: null });

  const app = new Hono();
  app.use('*', async (c, next) => {
    requests += 1;
    const delay = latencyMs + (jitterMs > 0 ? random() * jitterMs : 0);
    if (delay > 0) await sleep(delay);
    // Image URLs are fetched without a key, like OpenAI's signed blob URLs. The Messages API also takes x-api-key.
    const anthropic = c.req.path.startsWith('/v1/messages');
    const query = c.req.path === QUOTA_PATH;
    if (options.apiKey !== undefined && query && c.req.query('key') !== options.apiKey) {
      record({ path: c.req.path, model: '', stream: false, status: 401, usage: null, fault: null });
      return errorResponse(401, 'Invalid key.', nextId('req_sim'), { code: 'invalid_api_key' });
    }
    if (
      options.apiKey !== undefined &&
      !query &&
      !c.req.path.startsWith('/v1/files/') &&
      c.req.header('authorization') !== `Bearer ${options.apiKey}` &&
      !(anthropic && c.req.header('x-api-key') === options.apiKey)
    ) {
      record({ path: c.req.path, model: '', stream: false, status: 401, usage: null, fault: null });
      if (anthropic) return anthropicErrorResponse(401, 'invalid x-api-key', nextId('req_sim'));
      return errorResponse(401, 'Incorrect API key provided.', nextId('req_sim'), { code: 'invalid_api_key' });
    }
    await next();
  });
  app.get('/v1/models', endpoint('/v1/models', 'none', listModels));
  app.get('/v1/models/:model', endpoint('/v1/models', 'none', getModel));
  app.get(QUOTA_PATH, endpoint(`/v1${QUOTA_PATH}`, 'none', userQuota));
  app.get('/v1/files/:file', endpoint('/v1/files', 'none', getFile));
  app.post(CHAT_PATH, endpoint(CHAT_PATH, 'json', handleChat));
  app.post('/v1/embeddings', endpoint('/v1/embeddings', 'json', handleEmbeddings));
  app.post('/v1/images/generations', endpoint('/v1/images/generations', 'json', handleImages));
  app.post('/v1/audio/speech', endpoint('/v1/audio/speech', 'json', handleSpeech));
  app.post('/v1/audio/transcriptions', endpoint('/v1/audio/transcriptions', 'form', handleTranscription));
  app.post('/v1/responses', endpoint('/v1/responses', 'json', handleResponses));
  app.get('/v1/responses/:id', endpoint('/v1/responses/:id', 'none', getResponse));
  app.delete('/v1/responses/:id', endpoint('/v1/responses/:id', 'none', deleteResponse));
  app.post('/v1/messages', endpoint('/v1/messages', 'json', handleMessages, 'anthropic'));
  app.post('/v1/messages/count_tokens', endpoint('/v1/messages/count_tokens', 'json', handleCountTokens, 'anthropic'));
  app.notFound((c) => {
    record({ path: c.req.path, model: '', stream: false, status: 404, usage: null, fault: null });
    return errorResponse(404, `Invalid URL (${c.req.method} ${c.req.path})`, nextId('req_sim'), { code: null });
  });
  app.onError((err, c) => {
    record({ path: c.req.path, model: '', stream: false, status: 500, usage: null, fault: null });
    return errorResponse(500, `The simulated upstream failed: ${err.message}`, nextId('req_sim'));
  });

  return {
    app,
    enqueueFault: (fault, opts) => faults.add(fault, opts),
    billing,
    get requests() {
      return requests;
    },
    get responses() {
      return responses;
    },
    reset() {
      faults.clear();
      billing.reset();
      requests = 0;
      responses.length = 0;
      rt.files.clear();
    },
  };
}
