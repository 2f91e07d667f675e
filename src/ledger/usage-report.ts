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

/** A group's sums while adding up: cost stays whole nano-USD, so sums are exact in any order. */
type GroupSums = Omit<RawUsageRow, 'key'> & { key: string };

const emptySums = (key: string): GroupSums => ({
  key,
  requests: 0,
  errors: 0,
  blocked: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  cost_nano: 0,
  unpriced_calls: 0,
  estimated_calls: 0,
});

function addInto(target: GroupSums, raw: RawUsageRow): void {
  target.requests += raw.requests;
  target.errors += raw.errors;
  target.blocked += raw.blocked;
  target.prompt_tokens += raw.prompt_tokens;
  target.completion_tokens += raw.completion_tokens;
  target.cost_nano += raw.cost_nano;
  target.unpriced_calls += raw.unpriced_calls;
  target.estimated_calls += raw.estimated_calls;
}

const toRow = ({ cost_nano, ...sums }: GroupSums): UsageRow => ({ ...sums, cost_usd: usdFromNano(cost_nano) });

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
  const groups = new Map<string, GroupSums>();
  const total = emptySums('total');
  for (const raw of raws) {
    const key = options.by === 'day' ? localDate(Number(raw.key) * QUARTER_HOUR_MS, options.timeZone) : String(raw.key);
    let sums = groups.get(key);
    if (!sums) groups.set(key, (sums = emptySums(key)));
    addInto(sums, raw);
    addInto(total, raw);
  }
  const rows = [...groups.values()].map(toRow);
  rows.sort(
    options.by === 'day'
      ? (a, b) => a.key.localeCompare(b.key)
      : (a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests,
  );
  return {
    since: options.since,
    until: options.until,
    by: options.by,
    time_zone: options.timeZone,
    total: toRow(total),
    rows,
  };
}

export const isUsageGroup = (value: string): value is UsageGroup => (USAGE_GROUPS as readonly string[]).includes(value);
