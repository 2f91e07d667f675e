/**
 * The proxy writes straight to Node's ServerResponse: chunks go out as they arrive, with
 * backpressure, and a client that hangs up is noticed at once (its signal aborts the upstream
 * request). Going around Hono's Response here saves a web-stream hop per chunk on the hot path.
 */
import type { ServerResponse } from 'node:http';

export interface Reply {
  /** Aborts when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
  /** True once the status line has been sent: from then on the status cannot change. */
  readonly started: boolean;
  head(status: number, headers: Record<string, string>): void;
  /** Resolves when the chunk may be followed by more (after 'drain' if the socket is full). */
  write(chunk: Buffer): Promise<void>;
  end(chunk?: Buffer): void;
  /** A whole answer at once: status, headers and body. */
  send(status: number, headers: Record<string, string>, body: Buffer | string): void;
}

/** Sent with every proxy answer; the dashboard's other routes get theirs from the app's middleware. */
const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

export function createReply(outgoing: ServerResponse): Reply {
  const closed = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) closed.abort(new Error('the client closed the connection'));
  });
  let started = false;

  function head(status: number, headers: Record<string, string>): void {
    if (started) return;
    started = true;
    outgoing.writeHead(status, { ...BASE_HEADERS, ...headers });
  }

  return {
    signal: closed.signal,
    get started() {
      return started;
    },
    head,
    write(chunk) {
      if (closed.signal.aborted) return Promise.reject(closed.signal.reason);
      if (outgoing.write(chunk)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onDrain = () => (closed.signal.removeEventListener('abort', onAbort), resolve());
        const onAbort = () => (outgoing.off('drain', onDrain), reject(closed.signal.reason));
        outgoing.once('drain', onDrain);
        closed.signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    end(chunk) {
      if (!outgoing.writableEnded) outgoing.end(chunk);
    },
    send(status, headers, body) {
      if (started) return;
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      head(status, { ...headers, 'content-length': String(bytes.length) });
      outgoing.end(bytes);
    },
  };
}

/** OpenAI's error body, which every OpenAI-compatible client knows how to show. */
export function openAiError(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
