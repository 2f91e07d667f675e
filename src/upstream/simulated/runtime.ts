import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { PngEncoder } from './media.js';
import type { SimModel, SimUsage } from './types.js';

/** Per-instance state and settings shared by the endpoint handlers. */
export interface SimRuntime {
  readonly tokensPerSecond: number;
  readonly models: ReadonlyMap<string, SimModel>;
  readonly encoder: TextEncoder;
  readonly png: PngEncoder;
  readonly files: FileStore;
  /** Answer image requests with URLs whatever response_format asks, like upstreams that only serve URLs. */
  readonly imageUrlsOnly: boolean;
  /** Prompt prefixes seen before, so a repeated prefix is answered as a cache read (Responses, Messages). */
  readonly promptCache: BoundedMap<true>;
  /** Stored Responses API answers, for GET and DELETE /v1/responses/{id}. */
  readonly storedResponses: BoundedMap<string>;
  /** A fresh id such as `chatcmpl-sim00000001`; counter-based so seeded demos repeat. */
  nextId(prefix: string): string;
}

export interface RequestInfo {
  requestId: string;
  /** The `no-usage` fault: answer normally but leave `usage` out. */
  omitUsage: boolean;
}

export interface HandlerResult {
  response: Response;
  usage: SimUsage | null;
}

export type Handler = (
  c: Context,
  body: Record<string, unknown>,
  rt: SimRuntime,
  req: RequestInfo,
) => HandlerResult | Promise<HandlerResult>;

export interface FileStore {
  put(data: Uint8Array<ArrayBuffer>): string;
  get(id: string): Uint8Array<ArrayBuffer> | undefined;
  clear(): void;
}

/** Keeps only the newest `limit` files so url-mode images cannot grow memory without bound. */
export function createFileStore(limit: number, nextId: (prefix: string) => string): FileStore {
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  return {
    put(data) {
      const id = nextId('img-');
      files.set(id, data);
      if (files.size > limit) {
        const oldest = files.keys().next();
        if (!oldest.done) files.delete(oldest.value);
      }
      return id;
    },
    get: (id) => files.get(id),
    clear: () => files.clear(),
  };
}

export interface BoundedMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): boolean;
  clear(): void;
}

/** A Map that forgets its oldest entries past `limit`, so a long demo cannot grow memory without bound. */
export function createBoundedMap<V>(limit: number): BoundedMap<V> {
  const entries = new Map<string, V>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      const oldest = entries.keys().next();
      if (entries.size > limit && !oldest.done) entries.delete(oldest.value);
    },
    delete: (key) => entries.delete(key),
    clear: () => entries.clear(),
  };
}

export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/**
 * The raw Node request/response when served by @hono/node-server (its HttpBindings);
 * undefined under `app.request()` or other runtimes, where hang/reset degrade gracefully.
 */
export function nodeBindings(env: unknown): NodeBindings | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  if (!('incoming' in env) || !('outgoing' in env)) return undefined;
  const { incoming, outgoing } = env;
  if (incoming instanceof IncomingMessage && outgoing instanceof ServerResponse) return { incoming, outgoing };
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
