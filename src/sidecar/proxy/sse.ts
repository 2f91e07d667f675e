/**
 * Reads a stream as it passes through, event by event, without parsing every chunk: the scanner
 * cuts the bytes into complete events and a reader per API looks at each. The chat reader takes the
 * model from the first event, time to first token from the first event with content, usage from
 * the one event that carries a usage object (the only one parsed as JSON). When the proxy asked for
 * usage on the client's behalf, that usage-only event is held back, so the client receives exactly
 * the events it asked for (see docs/decisions/0013-proxy-stream-usage.md).
 */
import { usageFromWire, type Usage } from '../../upstream/usage.js';

const EVENT_END = Buffer.from('\n\n');
const EVENT_END_CRLF = Buffer.from('\r\n\r\n');
const USAGE_OBJECT = Buffer.from('"usage":{');
const MODEL = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const CONTENT = /"(?:content|reasoning_content|refusal)"\s*:\s*"((?:[^"\\]|\\.)+)"|"tool_calls"\s*:\s*\[/g;
/** Text kept for estimating usage when the upstream sends none; more than any real answer. */
export const MAX_TEXT_CHARS = 4 * 1024 * 1024;

export interface StreamObservation {
  model: string | null;
  usage: Usage | null;
  /** Milliseconds from the start to the first event with content; null if none came. */
  ttftMs: number | null;
  /** The answer's text as far as it went, kept only while no usage has been seen (for estimating). */
  text: string;
  /** Usage known before the end (Anthropic's message_start: the whole prompt), for a stream cut short. */
  promptUsage: Usage | null;
}

/** Looks at one complete event as it passes; `inspect` returns false for an event not to forward. */
export interface StreamReader {
  inspect(event: Buffer): boolean;
  readonly observed: StreamObservation;
}

export const newObservation = (): StreamObservation => ({
  model: null,
  usage: null,
  ttftMs: null,
  text: '',
  promptUsage: null,
});

export interface SseScanner {
  /** Takes a chunk from the upstream; returns the bytes to send on now (complete events only). */
  push(chunk: Buffer): Buffer | null;
  /** Whatever is left at the end of the stream. */
  flush(): Buffer | null;
  readonly observed: StreamObservation;
}

function eventEnd(buffer: Buffer, from: number): { at: number; length: number } | null {
  const lf = buffer.indexOf(EVENT_END, from);
  const crlf = buffer.indexOf(EVENT_END_CRLF, from);
  if (lf < 0 && crlf < 0) return null;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: EVENT_END_CRLF.length };
  return { at: lf, length: EVENT_END.length };
}

/** The JSON after `data:` in one event (events from OpenAI-compatible servers carry one data line). */
export function eventData(event: string): string {
  const lines = event.split(/\r?\n/).filter((line) => line.startsWith('data:'));
  return lines.map((line) => line.slice(5).trimStart()).join('\n');
}

export const unescapeJsonString = (raw: string): string => {
  try {
    const value: unknown = JSON.parse(`"${raw}"`);
    return typeof value === 'string' ? value : raw;
  } catch {
    return raw;
  }
};

/**
 * `dropAddedUsage`: the client did not ask for usage, so an event that holds only usage (no
 * choices) was added at our request and is not passed on.
 */
export function createChatStreamReader(options: {
  started: number;
  now: () => number;
  dropAddedUsage: boolean;
}): StreamReader {
  const observed = newObservation();

  /** Looks at one complete event; false means it is not to be forwarded. */
  function inspect(event: Buffer): boolean {
    const hasUsage = event.includes(USAGE_OBJECT);
    if (observed.model !== null && observed.usage !== null && !hasUsage) return true;
    const text = event.toString('utf8');
    if (observed.model === null) {
      const model = MODEL.exec(text)?.[1];
      if (model) observed.model = unescapeJsonString(model);
    }
    if (observed.usage === null && observed.text.length < MAX_TEXT_CHARS) {
      for (const match of text.matchAll(CONTENT)) {
        observed.ttftMs ??= options.now() - options.started;
        if (match[1]) observed.text += unescapeJsonString(match[1]);
      }
    }
    if (!hasUsage) return true;
    try {
      const data: unknown = JSON.parse(eventData(text));
      if (
        typeof data !== 'object' ||
        data === null ||
        !('usage' in data) ||
        typeof data.usage !== 'object' ||
        data.usage === null
      )
        return true;
      observed.usage = usageFromWire(data.usage);
      observed.text = '';
      const choices = 'choices' in data && Array.isArray(data.choices) ? data.choices : [];
      return !(options.dropAddedUsage && choices.length === 0);
    } catch {
      return true; // not ours to judge: pass it on as it came
    }
  }
  return { inspect, observed };
}

export function createSseScanner(reader: StreamReader): SseScanner {
  const { inspect, observed } = reader;
  let pending: Buffer | null = null;

  function push(chunk: Buffer): Buffer | null {
    const buffer: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    let out: Buffer[] | null = null;
    let kept = 0; // bytes [0, kept) go out unchanged until an event is dropped
    for (let end = eventEnd(buffer, start); end; end = eventEnd(buffer, start)) {
      const stop = end.at + end.length;
      const forward = inspect(buffer.subarray(start, stop));
      if (!forward) {
        out ??= [];
        if (start > kept) out.push(buffer.subarray(kept, start));
        kept = stop;
      }
      start = stop;
    }
    pending = start < buffer.length ? Buffer.from(buffer.subarray(start)) : null;
    if (!out) return start > 0 ? buffer.subarray(0, start) : null;
    if (start > kept) out.push(buffer.subarray(kept, start));
    return out.length > 0 ? Buffer.concat(out) : null;
  }

  return {
    push,
    flush() {
      const rest = pending;
      pending = null;
      if (rest && inspect(rest)) return rest;
      return null;
    },
    observed,
  };
}
