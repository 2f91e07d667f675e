import type { CallRow, CallStatus } from '../calls.js';
import type { TimeRange } from './range.js';

export interface CallFilter {
  limit: number;
  /** Only calls with id < before: the cursor for the next page, newest first. */
  before?: number | undefined;
  /** Matches model_used, or model_requested when the call never got a model (e.g. it failed). */
  model?: string | undefined;
  status?: CallStatus | undefined;
  client?: string | undefined;
  tool?: string | undefined;
  session?: string | undefined;
  range?: TimeRange | undefined;
}

export interface CallPage {
  calls: CallRow[];
  /** Pass as `before` for the next page; null when this page is the last. */
  next_before: number | null;
}

export interface ErrorGroup {
  error_type: string | null;
  http_status: number | null;
  status: Exclude<CallStatus, 'ok'>;
  count: number;
  last_ts: number;
  last_message: string | null;
}
