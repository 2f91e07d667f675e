import type { Db } from '../open.js';
import { SQL, nearestRank, usdFromMicroSum, type TimeRange } from './range.js';

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

type ScanTuple = [
  key: string | null, failed: 0 | 1, prompt: number, completion: number, costMicro: number | null, unpriced: 0 | 1,
  timedDuration: number | null,
];

interface Group {
  key: string | null;
  requests: number;
  errors: number;
  prompt: number;
  completion: number;
  costMicro: number;
  unpriced: number;
  durations: number[];
}

const DAY_MS = 86_400_000;

export type BreakdownQuery = (range: TimeRange, by: BreakdownDimension) => Breakdown;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[nearestRank(50, sorted.length) - 1] ?? null;
}

/** Code-point order with null first, as SQLite's ORDER BY sorts TEXT and NULL. */
function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

export function createBreakdownQuery(db: Db): BreakdownQuery {
  // One scan of the range feeds both the sums and the exact per-group medians. Measured on 1M rows
  // (24h ≈ 33k rows) this beat GROUP BY plus a ROW_NUMBER() window query by about half: the
  // window query sorts every row by (key, duration), here each group's durations sort on their own.
  const scans = new Map(
    BREAKDOWN_DIMENSIONS.map((by) => [
      by,
      db
        .prepare<[TimeRange], ScanTuple>(
          `SELECT ${KEY_SQL[by]}, status = 'error', prompt_tokens, completion_tokens, cost_micro_usd, ${SQL.unpriced},
                  CASE WHEN ${SQL.timed} THEN duration_ms END
             FROM calls WHERE ${SQL.inRange}`,
        )
        .raw(),
    ]),
  );

  return (range, by) => {
    const scan = scans.get(by);
    if (!scan) throw new Error(`unknown breakdown dimension ${by}`);
    const groups = new Map<string | null, Group>();
    // all() is ~25% faster than iterate() but holds every row at once: use it up to a couple of
    // days (tens of thousands of rows), stream longer ranges to keep memory flat.
    const scanned = range.to - range.from <= 2 * DAY_MS ? scan.all(range) : scan.iterate(range);
    for (const [key, failed, prompt, completion, costMicro, unpriced, duration] of scanned) {
      let g = groups.get(key);
      if (!g) {
        g = { key, requests: 0, errors: 0, prompt: 0, completion: 0, costMicro: 0, unpriced: 0, durations: [] };
        groups.set(key, g);
      }
      g.requests += 1;
      g.errors += failed;
      g.prompt += prompt;
      g.completion += completion;
      g.costMicro += costMicro ?? 0;
      g.unpriced += unpriced;
      if (duration !== null) g.durations.push(duration);
    }
    const rows = [...groups.values()]
      .sort((a, b) => b.requests - a.requests || compareKeys(a.key, b.key))
      .map((g) => ({
        key: g.key,
        requests: g.requests,
        errors: g.errors,
        prompt_tokens: g.prompt,
        completion_tokens: g.completion,
        cost_usd: usdFromMicroSum(g.costMicro),
        unpriced_calls: g.unpriced,
        p50_latency_ms: median(g.durations),
      }));
    return { by, from: range.from, to: range.to, rows };
  };
}
