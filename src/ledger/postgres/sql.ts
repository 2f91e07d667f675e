import type { RollupDim } from '../rollups/aggregate.js';
import { BILLABLE_SQL } from '../billable-sql.js';

/** SQL fragments shared by the aggregate queries, so every answer counts as the SQLite engine's do. */
export const PG_SQL = {
  /**
   * A call with no price is "unpriced" only if it used something billable: blocked calls and
   * failures that consumed nothing have a NULL cost because there is nothing to price.
   */
  unpriced: `(cost_nano_usd IS NULL AND ${BILLABLE_SQL})`,
  /** Latency percentiles leave out blocked calls: they never reached the upstream. */
  timed: "(duration_ms IS NOT NULL AND status <> 'blocked')",
  modelKey: 'COALESCE(model_used, model_requested)',
} as const;

/** Field names equal Totals (src/ledger/rollups/aggregate.ts); empty sums are 0, as SQLite's TOTAL(). */
export const PG_TOTALS_SQL = `COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE status = 'ok') AS ok,
  COUNT(*) FILTER (WHERE status = 'error') AS errors,
  COUNT(*) FILTER (WHERE status = 'blocked') AS blocked,
  COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
  COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
  COALESCE(SUM(cost_nano_usd), 0) AS cost_nano_usd,
  COUNT(*) FILTER (WHERE ${PG_SQL.unpriced}) AS unpriced,
  COALESCE(SUM(usage_estimated), 0) AS estimated,
  COALESCE(SUM(retries), 0) AS retries,
  COALESCE(SUM(images), 0) AS images`;

/** Column expression per dimension; fixed strings, never user input. */
export const PG_DIM_KEY_SQL: Readonly<Record<RollupDim, string>> = {
  all: 'NULL::text',
  model: PG_SQL.modelKey,
  tool: 'tool',
  client: 'client',
  provider: 'provider',
  status: 'status',
};

/** Nearest-rank (1-based) in integer SQL: GREATEST(1, ceil(percent * n / 100)), as nearestRank() computes it. */
export const nearestRankSql = (percent: number, n: string): string => `GREATEST(1, (${percent} * ${n} + 99) / 100)`;
