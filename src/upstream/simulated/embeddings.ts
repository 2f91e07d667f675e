import {
  SimHttpError,
  invalidType,
  jsonResponse,
  missing,
  optionalEnum,
  optionalInt,
  requireModel,
} from './protocol.js';
import type { Handler } from './runtime.js';
import { seededRandom } from '../../random.js';
import { approxTokens, hash32 } from './text.js';

const DEFAULT_DIMENSIONS = 1536;
const MAX_INPUTS = 2048;
const FEATURES_PER_WORD = 8;
const NOISE = 0.1;

function parseInput(value: unknown): string[] {
  if (value === undefined || value === null) throw missing('input');
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    throw new SimHttpError(400, "Invalid 'input': empty array. Expected at least one string.", 'input', 'empty_array');
  if (list.length > MAX_INPUTS)
    throw new SimHttpError(400, `Invalid 'input': at most ${MAX_INPUTS} inputs per request.`, 'input');
  return list.map((item, i) => {
    if (typeof item === 'number' || Array.isArray(item)) {
      throw new SimHttpError(
        400,
        "Token arrays in 'input' are not supported by the simulated upstream; send strings.",
        'input',
        'unsupported_value',
      );
    }
    if (typeof item !== 'string') throw invalidType(Array.isArray(value) ? `input[${i}]` : 'input', 'a string', item);
    if (item.length === 0)
      throw new SimHttpError(400, "'input' cannot contain an empty string.", 'input', 'invalid_value');
    return item;
  });
}

/**
 * A deterministic unit vector: a little dense noise seeded by the whole text (so distinct
 * texts differ) plus ±1 features hashed from each word (so texts sharing words have a
 * higher cosine similarity — enough for ranking demos to look sensible). Shortened
 * vectors are the prefix of the native one, renormalised, as text-embedding-3 does.
 */
function embed(text: string, native: number, dims: number): Float32Array {
  const v = new Float64Array(dims);
  const noise = seededRandom(hash32(text));
  for (let i = 0; i < dims; i++) v[i] = (noise() * 2 - 1) * NOISE;
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const r = seededRandom(hash32(word));
    for (let k = 0; k < FEATURES_PER_WORD; k++) {
      const pos = Math.floor(r() * native);
      const sign = r() < 0.5 ? -1 : 1;
      if (pos < dims) v[pos] = (v[pos] ?? 0) + sign;
    }
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += (v[i] ?? 0) ** 2;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(dims);
  for (let i = 0; i < dims; i++) out[i] = (v[i] ?? 0) * scale;
  return out;
}

/** Little-endian float32, base64: what the openai package decodes when it asks for encoding_format 'base64'. */
function toBase64(vector: Float32Array): string {
  const buf = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i] ?? 0, i * 4);
  return buf.toString('base64');
}

export const handleEmbeddings: Handler = (_c, body, rt, req) => {
  const model = requireModel(rt.models, body.model, 'embedding');
  const native = model.dimensions ?? DEFAULT_DIMENSIONS;
  const inputs = parseInput(body.input);
  const dims = optionalInt(body, 'dimensions', 1, native) ?? native;
  const format = optionalEnum(body, 'encoding_format', ['float', 'base64'] as const) ?? 'float';
  let promptTokens = 0;
  const data = inputs.map((text, index) => {
    promptTokens += approxTokens(text);
    const vector = embed(text, native, dims);
    return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(vector) : Array.from(vector) };
  });
  const usage = { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens };
  const payload = {
    object: 'list',
    data,
    model: model.id,
    ...(req.omitUsage ? {} : { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }),
  };
  return { response: jsonResponse(200, JSON.stringify(payload), req.requestId), usage: req.omitUsage ? null : usage };
};
