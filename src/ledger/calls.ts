/** Costs are integers in nano-USD (1e-9 USD), docs/decisions/0022-costs-in-nano-usd.md. */
export const NANO_PER_USD = 1e9;
export const usdFromNano = (nano: number): number => nano / NANO_PER_USD;
export const nanoFromUsd = (usd: number): number => Math.round(usd * NANO_PER_USD);

export type CallStatus = 'ok' | 'error' | 'blocked';
export type CallSource = 'mcp-stdio' | 'mcp-http' | 'proxy' | 'bench' | 'demo';

/** One ledger row as written; see migrations/0001_calls.sql. */
export interface CallRecord {
  ts: number;
  duration_ms: number | null;
  ttft_ms: number | null;
  source: CallSource;
  client: string | null;
  tool: string;
  provider: string;
  model_requested: string;
  model_used: string | null;
  stream: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  images: number;
  usage_estimated: boolean;
  cost_nano_usd: number | null;
  status: CallStatus;
  http_status: number | null;
  error_type: string | null;
  error_message: string | null;
  retries: number;
  fallback_from: string | null;
  request_id: string | null;
  /** Speech input characters (migration 0006); only audio calls set it. */
  input_chars?: number;
  /** Seconds of audio transcribed (migration 0006); only audio calls set it. */
  audio_seconds?: number | null;
  /** Prompt tokens written to a prompt cache, part of prompt_tokens (migration 0007); Anthropic reports them. */
  cache_write_tokens?: number;
  /** The MCP session or the proxy caller's session id, checked by sessions/ids.ts (migration 0010); null when none. */
  session?: string | null;
}

export interface CallRow extends Omit<
  CallRecord,
  'stream' | 'usage_estimated' | 'input_chars' | 'audio_seconds' | 'cache_write_tokens'
> {
  id: number;
  stream: 0 | 1;
  usage_estimated: 0 | 1;
  input_chars: number;
  audio_seconds: number | null;
  cache_write_tokens: number;
  session: string | null;
}

/** Every column a record writes, in one fixed order (engines bind parameters in this order). */
export const CALL_COLUMNS = [
  'ts',
  'duration_ms',
  'ttft_ms',
  'source',
  'client',
  'tool',
  'provider',
  'model_requested',
  'model_used',
  'stream',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'images',
  'usage_estimated',
  'cost_nano_usd',
  'status',
  'http_status',
  'error_type',
  'error_message',
  'retries',
  'fallback_from',
  'request_id',
  'input_chars',
  'audio_seconds',
  'cache_write_tokens',
  'session',
] as const satisfies readonly (keyof CallRecord)[];

export type CallColumn = (typeof CALL_COLUMNS)[number];

/** What an optional column holds when a record leaves it out (the migrations' defaults). */
export const OMITTED_COLUMN_VALUES: Partial<Record<CallColumn, number | null>> = {
  input_chars: 0,
  audio_seconds: null,
  cache_write_tokens: 0,
};
