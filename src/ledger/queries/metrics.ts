import type { CallStatus } from '../calls.js';

/** The columns /metrics needs from each call; read incrementally by id. */
export interface MetricSourceRow {
  id: number;
  ts: number;
  model: string;
  tool: string;
  client: string | null;
  status: CallStatus;
  error_type: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_nano_usd: number | null;
  unpriced: 0 | 1;
  usage_estimated: 0 | 1;
  retries: number;
  duration_ms: number | null;
  ttft_ms: number | null;
}
