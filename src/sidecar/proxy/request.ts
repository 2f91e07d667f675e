/**
 * What the proxy needs from a request body, read once: the model, whether it streams, a rough
 * size for the quota check, and (only when something must change) a rewritten body. Everything
 * else is forwarded as the bytes that came in.
 */
import type { IncomingMessage } from 'node:http';
import type { CallEstimate } from '../../metering.js';
import { estimateFor } from './prompt.js';

/** A request the proxy refuses itself, answered in OpenAI's error shape. */
export class ProxyRequestError extends Error {
  override readonly name = 'ProxyRequestError';
  constructor(
    readonly status: 400 | 404 | 413 | 415,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export type Endpoint =
  'chat' | 'responses' | 'messages' | 'embeddings' | 'images' | 'speech' | 'transcription' | 'translation';

/** The three text APIs stream; only chat needs usage asked for (stream_options), the others always send it. */
const STREAMING: ReadonlySet<Endpoint> = new Set(['chat', 'responses', 'messages']);

export interface ParsedRequest {
  model: string;
  stream: boolean;
  /** The stream carries usage without our asking: chat with stream_options.include_usage, Responses, Messages. */
  clientAskedUsage: boolean;
  estimate: CallEstimate;
  json: Record<string, unknown> | null;
  bytes: Buffer;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the body as bytes, refusing it as soon as it passes `maxBytes` (declared or counted). */
export function readBody(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new ProxyRequestError(
      413,
      `request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB, the most this endpoint accepts`,
    );
  if (Number(incoming.headers['content-length'] ?? 0) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        incoming.off('data', onData);
        incoming.resume(); // drain what is left so the 413 can still be read by the client
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size)));
    incoming.once('error', reject);
  });
}

function requireModel(json: Record<string, unknown>, fallback: string | null): string {
  const model = json.model ?? fallback;
  if (typeof model !== 'string' || model.trim() === '')
    throw new ProxyRequestError(
      400,
      "you must provide a model parameter: a non-empty string such as 'gpt-4o-mini'",
      'model',
    );
  return model;
}

/** Parses a JSON endpoint's body; `defaultModel` stands in where OpenAI has a default (images). */
export function parseJsonRequest(
  endpoint: Endpoint,
  bytes: Buffer,
  contentType: string | null,
  defaultModel: string | null = null,
): ParsedRequest {
  if (contentType !== null && !/^application\/json\b/i.test(contentType)) {
    throw new ProxyRequestError(
      415,
      `this endpoint takes a JSON body: send Content-Type: application/json (got '${contentType.slice(0, 80)}')`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ProxyRequestError(
      400,
      `the request body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isRecord(json)) throw new ProxyRequestError(400, 'the request body must be a JSON object');
  const model = requireModel(json, endpoint === 'images' ? defaultModel : null);
  const stream = STREAMING.has(endpoint) && json.stream === true;
  const options = json.stream_options;
  const clientAskedUsage = stream && (endpoint !== 'chat' || (isRecord(options) && options.include_usage === true));
  return { model, stream, clientAskedUsage, estimate: estimateFor(endpoint, json), json, bytes };
}

const MULTIPART_MODEL = Buffer.from('name="model"');

/** Multipart uploads (audio, image edits) are forwarded untouched; only the model field is read. */
export function parseMultipartRequest(endpoint: Endpoint, bytes: Buffer, contentType: string | null): ParsedRequest {
  if (contentType === null || !/^multipart\/form-data\b/i.test(contentType)) {
    throw new ProxyRequestError(
      415,
      'this endpoint takes an upload: send Content-Type: multipart/form-data with a file and a model',
    );
  }
  const at = bytes.indexOf(MULTIPART_MODEL);
  const valueStart = at < 0 ? -1 : bytes.indexOf('\r\n\r\n', at);
  const valueEnd = valueStart < 0 ? -1 : bytes.indexOf('\r\n', valueStart + 4);
  const model =
    valueEnd < 0
      ? ''
      : bytes
          .subarray(valueStart + 4, valueEnd)
          .toString('utf8')
          .trim();
  if (model === '')
    throw new ProxyRequestError(400, "you must provide a model field in the form, such as 'whisper-1'", 'model');
  return { model, stream: false, clientAskedUsage: false, estimate: estimateFor(endpoint, {}), json: null, bytes };
}

const ADD_USAGE = Buffer.from('{"stream_options":{"include_usage":true},');

/**
 * The bytes to send for one attempt. Unchanged when nothing differs; when only usage must be
 * asked for, the field is spliced in front (no re-serialisation); when the model differs (a
 * routed name or a fallback) or the client set stream_options itself, the parsed body is re-sent.
 */
export function bodyForAttempt(request: ParsedRequest, model: string, addUsage: boolean): Buffer {
  const json = request.json;
  if (json === null || (model === request.model && !addUsage)) return request.bytes;
  if (model === request.model && json.stream_options === undefined) {
    const open = request.bytes.indexOf('{');
    return Buffer.concat([request.bytes.subarray(0, open), ADD_USAGE, request.bytes.subarray(open + 1)]);
  }
  const options = isRecord(json.stream_options) ? json.stream_options : {};
  return Buffer.from(
    JSON.stringify({ ...json, model, ...(addUsage ? { stream_options: { ...options, include_usage: true } } : {}) }),
  );
}

const headerText = (headers: IncomingMessage['headers'], name: string): string | undefined => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
};

/** Coding agents known by what they send: Claude Code's User-Agent, Codex CLI's `originator` or User-Agent. */
const KNOWN_AGENTS: ReadonlyArray<[header: string, pattern: RegExp, name: string]> = [
  ['user-agent', /^claude-cli\//i, 'Claude Code'],
  ['originator', /^codex/i, 'Codex'],
  ['user-agent', /^codex/i, 'Codex'],
];

/**
 * Who is calling: X-Client-Name, else X-Title (CherryStudio sends "Cherry Studio"), else a known
 * coding agent by name, else the User-Agent.
 */
export function callerName(headers: IncomingMessage['headers']): string | null {
  const named = headerText(headers, 'x-client-name') ?? headerText(headers, 'x-title');
  if (named) return named.slice(0, 120);
  for (const [header, pattern, name] of KNOWN_AGENTS) if (pattern.test(headerText(headers, header) ?? '')) return name;
  return headerText(headers, 'user-agent')?.slice(0, 120) ?? null;
}
