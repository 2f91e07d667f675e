/**
 * Stream readers for the Responses and Messages APIs, which name each event (`event: <type>`).
 * Text deltas are read with a regex (for time to first token, and for estimating usage if none
 * comes); only the few events that carry the model or usage are parsed as JSON. Every event is
 * forwarded: both APIs send usage whether or not the client wants it.
 */
import { usageFromAnthropic, usageFromWire, type AnthropicWireUsage } from '../../upstream/usage.js';
import {
  eventData,
  MAX_TEXT_CHARS,
  newObservation,
  unescapeJsonString,
  type StreamObservation,
  type StreamReader,
} from './sse.js';

const EVENT_NAME = /^event:[ \t]*(\S+)/m;
const DATA_TYPE = /"type"\s*:\s*"([^"]+)"/;
const RESPONSE_DELTA = /"delta"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const MESSAGE_DELTA = /"(?:text|thinking|partial_json)"\s*:\s*"((?:[^"\\]|\\.)*)"/;
/** The events that end a Responses stream, each carrying the whole response with its usage. */
const RESPONSE_FINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parsed(text: string): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(eventData(text));
    return isRecord(data) ? data : null;
  } catch {
    return null; // not ours to judge: forwarded as it came
  }
}

interface ReaderOptions {
  started: number;
  now: () => number;
}

function deltaSeen(observed: StreamObservation, options: ReaderOptions, text: string, pattern: RegExp): void {
  observed.ttftMs ??= options.now() - options.started;
  if (observed.usage !== null || observed.text.length >= MAX_TEXT_CHARS) return;
  const match = pattern.exec(text)?.[1];
  if (match) observed.text += unescapeJsonString(match);
}

const eventType = (text: string): string => EVENT_NAME.exec(text)?.[1] ?? DATA_TYPE.exec(text)?.[1] ?? '';

/** response.created names the model; response.completed (or .incomplete/.failed) carries the usage. */
export function createResponsesStreamReader(options: ReaderOptions): StreamReader {
  const observed = newObservation();
  function inspect(event: Buffer): boolean {
    const text = event.toString('utf8');
    const type = eventType(text);
    if (type.endsWith('.delta')) deltaSeen(observed, options, text, RESPONSE_DELTA);
    else if (type === 'response.created' || RESPONSE_FINAL.has(type)) {
      const response = parsed(text)?.response;
      if (!isRecord(response)) return true;
      if (typeof response.model === 'string') observed.model = response.model;
      if (RESPONSE_FINAL.has(type) && isRecord(response.usage)) observed.usage = usageFromWire(response.usage);
    }
    return true;
  }
  return { inspect, observed };
}

const wireOf = (value: unknown): AnthropicWireUsage => {
  if (!isRecord(value)) return {};
  const out: AnthropicWireUsage = {};
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_creation_input_tokens',
    'cache_read_input_tokens',
  ] as const) {
    const n = value[key];
    if (typeof n === 'number') out[key] = n;
  }
  return out;
};

/**
 * message_start carries the model and the prompt's usage; message_delta the cumulative
 * output_tokens (and, from newer upstreams, the final input counts), which win over message_start's.
 */
export function createMessagesStreamReader(options: ReaderOptions): StreamReader {
  const observed = newObservation();
  let start: AnthropicWireUsage | null = null;
  function inspect(event: Buffer): boolean {
    const text = event.toString('utf8');
    const type = eventType(text);
    if (type === 'content_block_delta') deltaSeen(observed, options, text, MESSAGE_DELTA);
    else if (type === 'message_start') {
      const message = parsed(text)?.message;
      if (!isRecord(message)) return true;
      if (typeof message.model === 'string') observed.model = message.model;
      if (isRecord(message.usage)) {
        start = wireOf(message.usage);
        observed.promptUsage = usageFromAnthropic({ ...start, output_tokens: 0 });
      }
    } else if (type === 'message_delta') {
      const usage = parsed(text)?.usage;
      if (isRecord(usage)) observed.usage = usageFromAnthropic({ ...start, ...wireOf(usage) });
    }
    return true;
  }
  return { inspect, observed };
}
