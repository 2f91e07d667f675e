import type { Context } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { chunkFormatter, SSE_HEADERS } from './chat.js';
import {
  anthropicErrorResponse,
  defaultErrorMessage,
  errorResponse,
  jsonResponse,
  type ErrorShape,
} from './protocol.js';
import { nodeBindings } from './runtime.js';
import type { SimFault } from './types.js';

export const CHAT_PATH = '/v1/chat/completions';
const DEFAULT_OVERSIZE_BYTES = 20 * 1024 * 1024;
// A marker JSON.stringify leaves untouched, so we can split the serialised skeleton around it.
const FILL = '@@SIM_FILL@@';

interface QueuedFault {
  fault: SimFault;
  remaining: number;
  model: string | undefined;
  path: string | undefined;
}

export interface FaultQueue {
  add(fault: SimFault, options?: { times?: number; model?: string; path?: string }): void;
  /** The next fault for this request, consuming one use; read-only routes only match faults aimed at their path. */
  take(routePath: string, actualPath: string, model: string, readOnlyRoute: boolean): SimFault | undefined;
  clear(): void;
}

export function createFaultQueue(): FaultQueue {
  const queue: QueuedFault[] = [];
  return {
    add(fault, options = {}) {
      const times = options.times ?? 1;
      if (!Number.isInteger(times) || times < 1)
        throw new RangeError(`enqueueFault: times must be a positive integer, got ${times}`);
      if (fault.kind === 'status' && (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)) {
        throw new RangeError(`enqueueFault: status must be an HTTP status 200..599, got ${fault.status}`);
      }
      // Accept '/chat/completions' as well as '/v1/chat/completions': both name the same route.
      const path =
        options.path === undefined
          ? undefined
          : options.path.startsWith('/v1/')
            ? options.path
            : `/v1${options.path.startsWith('/') ? '' : '/'}${options.path}`;
      queue.push({ fault, remaining: times, model: options.model, path });
    },
    take(routePath, actualPath, model, readOnlyRoute) {
      for (let i = 0; i < queue.length; i++) {
        const entry = queue[i];
        if (!entry) continue;
        if (entry.path === undefined ? readOnlyRoute : entry.path !== routePath && entry.path !== actualPath) continue;
        if (entry.model !== undefined && entry.model !== model) continue;
        entry.remaining -= 1;
        if (entry.remaining <= 0) queue.splice(i, 1);
        return entry.fault;
      }
      return undefined;
    },
    clear() {
      queue.length = 0;
    },
  };
}

export interface FaultTarget {
  routePath: string;
  model: string;
  stream: boolean;
  requestId: string;
  chatId: string;
  shape: ErrorShape;
}

/** The JSON (or SSE) skeleton of an answer for this route, split around the giant string. */
function oversizeFrame(
  t: FaultTarget,
  created: number,
): { prefix: string; suffix: string; fill: string; contentType: string } {
  let text: string;
  let fill = 'simulated ';
  if (t.routePath === CHAT_PATH && t.stream) {
    const fmt = chunkFormatter(t.chatId, created, t.model, false);
    text = `${fmt.line(fmt.role, null)}${fmt.line(fmt.content(FILL), null)}${fmt.line('{}', 'stop')}data: [DONE]\n\n`;
  } else if (t.routePath === CHAT_PATH) {
    text = JSON.stringify({
      id: t.chatId,
      object: 'chat.completion',
      created,
      model: t.model,
      choices: [{ index: 0, message: { role: 'assistant', content: FILL }, finish_reason: 'stop' }],
    });
  } else if (t.routePath === '/v1/embeddings') {
    fill = 'A';
    text = JSON.stringify({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: FILL }],
      model: t.model,
    });
  } else if (t.routePath === '/v1/images/generations') {
    fill = 'A';
    text = JSON.stringify({ created, data: [{ b64_json: FILL }] });
  } else {
    text = JSON.stringify({ text: FILL });
  }
  const at = text.indexOf(FILL);
  const contentType = t.routePath === CHAT_PATH && t.stream ? SSE_HEADERS['content-type'] : 'application/json';
  return { prefix: text.slice(0, at), suffix: text.slice(at + FILL.length), fill, contentType };
}

function oversize(t: FaultTarget, bytes: number): Response {
  const { prefix, suffix, fill, contentType } = oversizeFrame(t, Math.floor(Date.now() / 1000));
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  const total = Math.max(bytes, head.length + tail.length);
  const body = Buffer.alloc(total, fill);
  head.copy(body, 0);
  tail.copy(body, total - tail.length);
  return new Response(body, {
    status: 200,
    headers: { 'content-type': contentType, 'content-length': String(total), 'x-request-id': t.requestId },
  });
}

/** Resolves when the client goes away (or the server is closed), never because of a timer of ours. */
function untilClosed(c: Context): Promise<void> {
  return new Promise((resolve) => {
    const node = nodeBindings(c.env);
    if (node) {
      if (node.incoming.socket.destroyed) resolve();
      node.outgoing.once('close', () => resolve());
    }
    const signal = c.req.raw.signal;
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Answers with `fault` instead of the normal handler; `answered(status)` records it before any waiting. */
export async function applyFault(
  c: Context,
  fault: Exclude<SimFault, { kind: 'no-usage' }>,
  t: FaultTarget,
  answered: (status: number) => void,
): Promise<Response> {
  const node = nodeBindings(c.env);
  switch (fault.kind) {
    case 'status': {
      answered(fault.status);
      const retry =
        fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) };
      const message =
        fault.message ??
        (fault.status === 429 && t.model
          ? `Rate limit reached for ${t.model} (simulated). Please try again in ${fault.retryAfterSeconds ?? 1}s.`
          : defaultErrorMessage(fault.status));
      if (t.shape === 'anthropic') return anthropicErrorResponse(fault.status, message, t.requestId, retry);
      return errorResponse(fault.status, message, t.requestId, { headers: retry });
    }
    case 'hang':
      answered(0);
      await untilClosed(c);
      return node ? RESPONSE_ALREADY_SENT : new Response(null, { status: 499 });
    case 'reset': {
      if (!node) {
        answered(502);
        return errorResponse(
          502,
          'Simulated connection reset (no socket to destroy outside a Node server).',
          t.requestId,
        );
      }
      if (t.routePath !== CHAT_PATH || !t.stream) {
        answered(0);
        node.incoming.socket.destroy();
        return RESPONSE_ALREADY_SENT;
      }
      answered(200);
      const fmt = chunkFormatter(t.chatId, Math.floor(Date.now() / 1000), t.model, false);
      node.outgoing.writeHead(200, { ...SSE_HEADERS, 'x-request-id': t.requestId });
      node.outgoing.write(fmt.line(fmt.role, null));
      // Destroy only once both chunks reached the kernel, so the client reliably sees them first.
      node.outgoing.write(fmt.line(fmt.content('Simulated '), null), () => node.incoming.socket.destroy());
      return RESPONSE_ALREADY_SENT;
    }
    case 'malformed':
      answered(200);
      if (t.routePath === CHAT_PATH && t.stream) {
        return new Response('data: {not json\n\ndata: [DONE]\n\n', {
          status: 200,
          headers: { ...SSE_HEADERS, 'x-request-id': t.requestId },
        });
      }
      return jsonResponse(
        200,
        `{"id":"${t.chatId}","object":"chat.completion","choices":[{"index":0,"message":{"content":"trunc`,
        t.requestId,
      );
    case 'oversize':
      answered(200);
      return oversize(t, fault.bytes ?? DEFAULT_OVERSIZE_BYTES);
  }
}

/**
 * A stream cut short after its first text delta: by a reset socket (`reset`), or by an event that is
 * not JSON and then the end of the stream, without the events that carry the usage (`malformed`).
 */
export async function cutStream(c: Context, response: Response, reset: boolean): Promise<Response> {
  const text = await response.text();
  const delta = text.indexOf('delta');
  const end = delta < 0 ? -1 : text.indexOf('\n\n', delta);
  const head = end < 0 ? text : text.slice(0, end + 2);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const node = nodeBindings(c.env);
  if (!reset || !node) return new Response(`${head}event: error\ndata: {not json\n\n`, { status: 200, headers });
  node.outgoing.writeHead(200, headers);
  // Destroy only once the events reached the kernel, so the client reliably sees them first.
  node.outgoing.write(head, () => node.incoming.socket.destroy());
  return RESPONSE_ALREADY_SENT;
}
