import type { Context } from 'hono';
import {
  SimHttpError,
  errorResponse,
  invalidType,
  jsonResponse,
  optionalEnum,
  optionalInt,
  requireModel,
  requireString,
} from './protocol.js';
import type { Handler, SimRuntime } from './runtime.js';
import { approxTokens, hash32 } from './text.js';

/** Returned pictures are 1/16 of the requested size (1024x1024 → 64x64): real PNGs, but tiny and cheap. */
const SCALE = 16;
/** gpt-image-1's output tokens per square image by quality, from OpenAI's pricing page. */
const OUTPUT_TOKENS = { low: 272, medium: 1056, high: 4160 } as const;
const QUALITIES = ['standard', 'hd', 'low', 'medium', 'high', 'auto'] as const;

function parseSize(value: unknown): { size: string; width: number; height: number } {
  if (value === undefined || value === null || value === 'auto')
    return { size: typeof value === 'string' ? value : '1024x1024', width: 1024, height: 1024 };
  if (typeof value !== 'string') throw invalidType('size', 'a string', value);
  const match = /^(\d{3,4})x(\d{3,4})$/.exec(value);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 256 || height < 256 || width > 4096 || height > 4096) {
    throw new SimHttpError(
      400,
      `Invalid value for 'size': '${value}'. Expected 'auto' or WIDTHxHEIGHT between 256 and 4096, e.g. '1024x1024'.`,
      'size',
      'invalid_value',
    );
  }
  return { size: value, width, height };
}

function imageModel(rt: SimRuntime, value: unknown) {
  if (value !== undefined && value !== null) return requireModel(rt.models, value, 'image');
  // OpenAI defaults to an image model when none is named; we default to our first one.
  const first = [...rt.models.values()].find((m) => m.kind === 'image');
  if (!first) throw new SimHttpError(400, 'You must provide a model parameter.', 'model');
  return first;
}

export const handleImages: Handler = (c, body, rt, req) => {
  const model = imageModel(rt, body.model);
  const prompt = requireString(body, 'prompt');
  const n = optionalInt(body, 'n', 1, 10) ?? 1;
  const { size, width, height } = parseSize(body.size);
  const isGptImage = model.id.startsWith('gpt-image');
  const asked =
    optionalEnum(body, 'response_format', ['url', 'b64_json'] as const) ?? (isGptImage ? 'b64_json' : 'url');
  const format = rt.imageUrlsOnly ? 'url' : asked;
  const quality = optionalEnum(body, 'quality', QUALITIES) ?? 'auto';
  const origin = new URL(c.req.url).origin;

  const data = Array.from({ length: n }, (_, i) => {
    const png = rt.png.gradient(
      Math.max(1, Math.round(width / SCALE)),
      Math.max(1, Math.round(height / SCALE)),
      hash32(`${prompt}#${i}`),
    );
    const revised = model.id === 'dall-e-3' ? { revised_prompt: `A simulated illustration of: ${prompt}` } : {};
    if (format === 'b64_json') return { b64_json: png.toString('base64'), ...revised };
    return { url: `${origin}/v1/files/${rt.files.put(png)}.png`, ...revised };
  });

  if (!isGptImage)
    return {
      response: jsonResponse(200, JSON.stringify({ created: Math.floor(Date.now() / 1000), data }), req.requestId),
      usage: null,
    };
  const perImage =
    quality === 'low'
      ? OUTPUT_TOKENS.low
      : quality === 'high' || quality === 'hd'
        ? OUTPUT_TOKENS.high
        : OUTPUT_TOKENS.medium;
  const input = approxTokens(prompt);
  const output = perImage * n;
  const payload = {
    created: Math.floor(Date.now() / 1000),
    data,
    output_format: 'png',
    size,
    quality: quality === 'auto' ? 'medium' : quality,
    ...(req.omitUsage
      ? {}
      : {
          usage: {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input + output,
            input_tokens_details: { text_tokens: input, image_tokens: 0 },
          },
        }),
  };
  const usage = req.omitUsage
    ? null
    : { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  return { response: jsonResponse(200, JSON.stringify(payload), req.requestId), usage };
};

/** GET /v1/files/<id>.png: serves url-mode images; like OpenAI's signed blob URLs, no key needed. */
export function serveFile(c: Context, rt: SimRuntime, requestId: string): Response {
  const name = c.req.param('file') ?? '';
  const data = name.endsWith('.png') ? rt.files.get(name.slice(0, -4)) : undefined;
  if (!data)
    return errorResponse(
      404,
      `No such file: '${name}'. Simulated image URLs keep only the last 100 images.`,
      requestId,
      { code: 'not_found' },
    );
  return new Response(data, {
    status: 200,
    headers: { 'content-type': 'image/png', 'content-length': String(data.length), 'x-request-id': requestId },
  });
}
