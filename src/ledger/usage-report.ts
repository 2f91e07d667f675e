import type { Db } from './open.js';
import { localDate } from '../time.js';

export const USAGE_GROUPS = ['model', 'tool', 'client', 'provider', 'source', 'status', 'day'] as const;
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

const GROUP_COLUMN: Record<Exclude<UsageGroup, 'day'>, string> = {
  model: 'COALESCE(model_used, model_requested)',
  tool: 'tool',
  client: "COALESCE(client, '(unknown)')",
  provider: 'provider',
  source: 'source',
  status: 'status',
};

/** Days are grouped in the user's zone, which SQLite cannot do: group by 15 minutes, then by day here. */
const QUARTER_HOUR = 900_000;

const AGGREGATES = `COUNT(*) AS requests,
  SUM(status = 'error') AS errors,
  SUM(status = 'blocked') AS blocked,
  SUM(prompt_tokens) AS prompt_tokens,
  SUM(completion_tokens) AS completion_tokens,
  COALESCE(SUM(cost_micro_usd), 0) AS cost_micro,
  SUM(status = 'ok' AND cost_micro_usd IS NULL) AS unpriced_calls,
  SUM(usage_estimated) AS estimated_calls`;

interface RawRow {
  key: string | number;
  requests: number;
  errors: number;
  blocked: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micro: number;
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

function addInto(target: UsageRow, raw: RawRow): void {
  target.requests += raw.requests;
  target.errors += raw.errors;
  target.blocked += raw.blocked;
  target.prompt_tokens += raw.prompt_tokens;
  target.completion_tokens += raw.completion_tokens;
  target.cost_usd += raw.cost_micro / 1e6;
  target.unpriced_calls += raw.unpriced_calls;
  target.estimated_calls += raw.estimated_calls;
}

/** Usage between two instants, grouped; shared by the CLI `usage` and the get_usage tool. */
export function usageReport(
  db: Db,
  options: { since: number; until: number; by: UsageGroup; timeZone: string },
): UsageReport {
  const keyExpr = options.by === 'day' ? `ts / ${QUARTER_HOUR}` : GROUP_COLUMN[options.by];
  const raws = db
    .prepare<[number, number], RawRow>(
      `SELECT ${keyExpr} AS key, ${AGGREGATES} FROM calls WHERE ts >= ? AND ts < ? GROUP BY 1`,
    )
    .all(options.since, options.until);
  const groups = new Map<string, UsageRow>();
  const total = emptyRow('total');
  for (const raw of raws) {
    const key = options.by === 'day' ? localDate(Number(raw.key) * QUARTER_HOUR, options.timeZone) : String(raw.key);
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
