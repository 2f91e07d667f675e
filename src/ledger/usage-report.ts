import { localDate } from '../time.js';
import { usdFromNano } from './calls.js';

export const USAGE_GROUPS = ['model', 'tool', 'client', 'provider', 'source', 'status', 'session', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  key: string;
  requests: number;
  errors: number;
  blocked: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Sum over priced calls only; see unpriced_calls. */
  cost_usd: number;
  unpriced_calls: number;
  estimated_calls: number;
}

export interface UsageReport {
  since: number;
  until: number;
  by: UsageGroup;
  time_zone: string;
  total: UsageRow;
  rows: UsageRow[];
}

/** One group's sums as an engine returns them; key is the group's value, or a quarter-hour index for days. */
export interface RawUsageRow {
  key: string | number;
  requests: number;
  errors: number;
  blocked: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_nano: number;
  unpriced_calls: number;
  estimated_calls: number;
}

const emptyRow = (key: string): UsageRow => ({
  key,
  requests: 0,
  errors: 0,
  blocked: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  cost_usd: 0,
  unpriced_calls: 0,
  estimated_calls: 0,
});

function addInto(target: UsageRow, raw: RawUsageRow): void {
  target.requests += raw.requests;
  target.errors += raw.errors;
  target.blocked += raw.blocked;
  target.prompt_tokens += raw.prompt_tokens;
  target.completion_tokens += raw.completion_tokens;
  target.cost_usd += usdFromNano(raw.cost_nano);
  target.unpriced_calls += raw.unpriced_calls;
  target.estimated_calls += raw.estimated_calls;
}

export interface UsageReportOptions {
  since: number;
  until: number;
  by: UsageGroup;
  timeZone: string;
}

/** Days are grouped in the user's zone, which a database cannot do: engines group by 15 minutes, then by day here. */
export const QUARTER_HOUR_MS = 900_000;

/** Builds the report from per-group sums; shared by every engine, so they all round and sort alike. */
export function assembleUsageReport(raws: readonly RawUsageRow[], options: UsageReportOptions): UsageReport {
  const groups = new Map<string, UsageRow>();
  const total = emptyRow('total');
  for (const raw of raws) {
    const key = options.by === 'day' ? localDate(Number(raw.key) * QUARTER_HOUR_MS, options.timeZone) : String(raw.key);
    let row = groups.get(key);
    if (!row) groups.set(key, (row = emptyRow(key)));
    addInto(row, raw);
    addInto(total, raw);
  }
  const rows = [...groups.values()];
  rows.sort(
    options.by === 'day'
      ? (a, b) => a.key.localeCompare(b.key)
      : (a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests,
  );
  return { since: options.since, until: options.until, by: options.by, time_zone: options.timeZone, total, rows };
}

export const isUsageGroup = (value: string): value is UsageGroup => (USAGE_GROUPS as readonly string[]).includes(value);
