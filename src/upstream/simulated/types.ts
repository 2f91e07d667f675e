import type { Hono } from 'hono';
import type { SimBilling, SimBillingOptions } from './billing.js';

/** A fault the simulated upstream injects instead of (or into) a normal answer. */
export type SimFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'no-usage' }
  | { kind: 'oversize'; bytes?: number };

export type SimModelKind = 'chat' | 'image' | 'embedding' | 'audio-speech' | 'audio-transcription';

export interface SimModel {
  id: string;
  kind: SimModelKind;
  owned_by?: string;
  /** Embedding models only: native vector length (default 1536). */
  dimensions?: number;
}

export interface SimulatedUpstreamOptions {
  apiKey?: string;
  latencyMs?: number;
  jitterMs?: number;
  tokensPerSecond?: number;
  models?: SimModel[];
  random?: () => number;
  errorRate?: number;
  /** Answer every image request with URLs, ignoring response_format (default false). */
  imageUrlsOnly?: boolean;
  /** The account behind /user/quota: balance, price skew, outside traffic, billing zone. */
  billing?: SimBillingOptions;
}

export interface SimUsage {
  /** The whole prompt, cache reads and writes included (as every ledger row counts it). */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Responses and Messages only: prompt tokens read from / written to the simulated prompt cache. */
  cached_tokens?: number;
  cache_write_tokens?: number;
  /** Responses only: reasoning tokens, part of completion_tokens. */
  reasoning_tokens?: number;
}

export interface SimRecordedResponse {
  path: string;
  model: string;
  stream: boolean;
  /** HTTP status sent; 0 when no status line was ever sent (hang, reset before answering). */
  status: number;
  /**
   * The usage the answer carried; null when none was sent (faults, streams without include_usage, images
   * other than gpt-image-*).
   */
  usage: SimUsage | null;
  fault: SimFault['kind'] | null;
}

export interface SimulatedUpstream {
  app: Hono;
  enqueueFault(fault: SimFault, options?: { times?: number; model?: string; path?: string }): void;
  readonly requests: number;
  readonly responses: readonly SimRecordedResponse[];
  /** What it charged, as /user/quota reports it. */
  readonly billing: SimBilling;
  reset(): void;
}

export interface RunningSimulatedUpstream extends SimulatedUpstream {
  baseUrl: string;
  /** The query service's base (COMETAPI_QUERY_URL): the same server, without /v1. */
  queryUrl: string;
  close(): Promise<void>;
}

export interface StartSimulatedUpstreamOptions extends SimulatedUpstreamOptions {
  port?: number;
  host?: string;
}
