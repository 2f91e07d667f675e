import type { RollupDim } from '../rollups/aggregate.js';
import { BILLABLE_SQL } from '../billable-sql.js';

/** SQL fragments shared by the aggregate queries, so every endpoint counts the same way. */
export const SQL = {
  inRange: 'ts >= @from AND ts < @to',
  /**
   * A call with no price is "unpriced" only if it used something billable: blocked calls and
   * failures that consumed nothing have a NULL cost because there is nothing to price.
   */
  unpriced: `(cost_nano_usd IS NULL AND ${BILLABLE_SQL})`,
  /** Latency percentiles leave out blocked calls: they never reached the upstream. */
  timed: "(duration_ms IS NOT NULL AND status <> 'blocked')",
  modelKey: 'COALESCE(model_used, model_requested)',
} as const;

export const RAW_TOTALS_SQL = `COUNT(*) AS requests,
  TOTAL(status = 'ok') AS ok,
  TOTAL(status = 'error') AS errors,
  TOTAL(status = 'blocked') AS blocked,
  TOTAL(prompt_tokens) AS prompt_tokens,
  TOTAL(completion_tokens) AS completion_tokens,
  TOTAL(cost_nano_usd) AS cost_nano_usd,
  TOTAL(${SQL.unpriced}) AS unpriced,
  TOTAL(usage_estimated) AS estimated,
  TOTAL(retries) AS retries,
  TOTAL(images) AS images`;

/** Column expression per dimension; fixed strings, never user input. */
export const DIM_KEY_SQL: Readonly<Record<RollupDim, string>> = {
  all: 'NULL',
  model: SQL.modelKey,
  tool: 'tool',
  client: 'client',
  provider: 'provider',
  status: 'status',
};
