/** JSON shapes the API sends for ledger rows, and the plain-words hints for error groups. */
import { usdFromNano } from '../ledger/calls.js';
import type { CallRow } from '../ledger/store.js';
import type { ErrorGroup } from '../ledger/store.js';

export interface PublicCall extends Omit<CallRow, 'cost_nano_usd' | 'stream' | 'usage_estimated'> {
  /** The model that answered, else the one asked for. */
  model: string;
  /** null: unpriced (the model has no price), never a silent 0. */
  cost_usd: number | null;
  stream: boolean;
  usage_estimated: boolean;
}

export function presentCall(row: CallRow): PublicCall {
  const { cost_nano_usd: nano, stream, usage_estimated: estimated, ...rest } = row;
  return {
    ...rest,
    model: row.model_used ?? row.model_requested,
    cost_usd: nano === null ? null : usdFromNano(nano),
    stream: stream === 1,
    usage_estimated: estimated === 1,
  };
}

const HINTS = {
  rate_limit:
    'The upstream rate-limited you; calls were retried with backoff. Lower concurrency or raise your CometAPI plan.',
  insufficient_quota: 'Your CometAPI balance is used up. Top up in the CometAPI console, then try again.',
  quota_exceeded:
    'Blocked before reaching the upstream by one of your own hard quotas. Raise or remove it with cometapi-mcp quota set or quota rm.',
  model_not_found: 'That model is not offered. See list_models for the names you can use.',
  not_found: 'The upstream has no such endpoint or resource. Check COMETAPI_BASE_URL and the model name.',
  auth: 'The upstream rejected the API key. Check COMETAPI_KEY (it starts with sk-) and that the key is active.',
  timeout:
    'The upstream did not answer in time, even after retries. Try again, choose a faster model, or raise COMETAPI_TIMEOUT_MS.',
  server_error: 'The upstream had a server error (5xx); calls were retried. Try again shortly or set fallback_models.',
  connection_error: 'Could not reach the upstream. Check your network, proxy settings and COMETAPI_BASE_URL.',
  malformed_response: 'The upstream sent a response that could not be read. Usually transient; try again.',
  bad_request: 'The upstream refused the request as invalid (often an unsupported parameter for this model).',
  cancelled: 'The client cancelled the call before it finished.',
  loop_guard:
    'Refused by the loop guard: the same call was repeated too often in one session. Change the arguments, or see COMETAPI_MCP_LOOP_* in the README.',
  unexpected: 'An unexpected failure; the message shows what the upstream or client said.',
} as const;

export type HintCode = keyof typeof HINTS;
/** Every explanation's code; the dashboard's catalogs have a sentence for each (hint.<code>). */
export const HINT_CODES = Object.keys(HINTS) as HintCode[];

function isHintKey(key: string): key is keyof typeof HINTS {
  return Object.hasOwn(HINTS, key);
}

/**
 * Which explanation fits an error group, from the error type, else the HTTP status. The code is
 * sent with the English sentence so the dashboard can show it in the reader's language.
 */
export function errorHintCode(group: Pick<ErrorGroup, 'error_type' | 'http_status' | 'status'>): HintCode {
  if (group.status === 'blocked') return group.error_type === 'loop_guard' ? 'loop_guard' : 'quota_exceeded';
  if (group.error_type && isHintKey(group.error_type)) return group.error_type;
  const status = group.http_status;
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'model_not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status !== null && status >= 500) return 'server_error';
  if (status !== null && status >= 400) return 'bad_request';
  return 'unexpected';
}

/** A sentence a person can act on. */
export function errorHint(group: Pick<ErrorGroup, 'error_type' | 'http_status' | 'status'>): string {
  return HINTS[errorHintCode(group)];
}
