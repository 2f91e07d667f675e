import type { Db } from '../open.js';
import { SQL, usdFromMicroSum, type TimeRange } from './range.js';

export const BREAKDOWN_DIMENSIONS = ['model', 'tool', 'client', 'provider', 'status'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/** Column expression per dimension; fixed strings, never user input. */
const KEY_SQL: Readonly<Record<BreakdownDimension, string>> = {
  model: SQL.modelKey,
  tool: 'tool',
  client: 'client',
  provider: 'provider',
  status: 'status',
};

export interface BreakdownRow {
  /** null when the column is empty, e.g. a call with no client name. */
  key: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  unpriced_calls: number;
  p50_latency_ms: number | null;
}

export interface Breakdown {
  by: BreakdownDimension;
  from: number;
  to: number;
  rows: BreakdownRow[];
}

interface GroupRow {
  key: string | null;
  requests: number;
  errors: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_micro_usd: number | null;
  unpriced_calls: number | null;
}

interface MedianRow {
  key: string | null;
  p50: number;
}

export type BreakdownQuery = (range: TimeRange, by: BreakdownDimension) => Breakdown;

function prepareFor(db: Db, by: BreakdownDimension) {
  const key = KEY_SQL[by];
  const groups = db.prepare<[TimeRange], GroupRow>(`
    SELECT ${key} AS key,
           COUNT(*) AS requests,
           SUM(status = 'error') AS errors,
           SUM(prompt_tokens) AS prompt_tokens,
           SUM(completion_tokens) AS completion_tokens,
           SUM(cost_micro_usd) AS cost_micro_usd,
           SUM(${SQL.unpriced}) AS unpriced_calls
      FROM calls WHERE ${SQL.inRange}
     GROUP BY 1 ORDER BY requests DESC, key`);
  // Exact nearest-rank median per group in one sort: row (n + 1) / 2 (integer division) of each
  // group ordered by duration is rank ceil(n / 2).
  const medians = db.prepare<[TimeRange], MedianRow>(`
    SELECT key, duration_ms AS p50 FROM (
      SELECT ${key} AS key, duration_ms,
             ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY duration_ms) AS position,
             COUNT(*) OVER (PARTITION BY ${key}) AS n
        FROM calls WHERE ${SQL.inRange} AND ${SQL.timed})
     WHERE position = (n + 1) / 2`);
  return { groups, medians };
}

export function createBreakdownQuery(db: Db): BreakdownQuery {
  const statements = new Map(BREAKDOWN_DIMENSIONS.map((by) => [by, prepareFor(db, by)]));
  return (range, by) => {
    const prepared = statements.get(by);
    if (!prepared) throw new Error(`unknown breakdown dimension ${by}`);
    const medianByKey = new Map(prepared.medians.all(range).map((m) => [m.key, m.p50]));
    const rows = prepared.groups.all(range).map((g) => ({
      key: g.key,
      requests: g.requests,
      errors: g.errors ?? 0,
      prompt_tokens: g.prompt_tokens ?? 0,
      completion_tokens: g.completion_tokens ?? 0,
      cost_usd: usdFromMicroSum(g.cost_micro_usd),
      unpriced_calls: g.unpriced_calls ?? 0,
      p50_latency_ms: medianByKey.get(g.key) ?? null,
    }));
    return { by, from: range.from, to: range.to, rows };
  };
}
