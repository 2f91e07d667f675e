import type pg from 'pg';
import {
  QUARTER_HOUR_MS,
  assembleUsageReport,
  type RawUsageRow,
  type UsageGroup,
  type UsageReport,
  type UsageReportOptions,
} from '../usage-report.js';

const GROUP_COLUMN: Record<Exclude<UsageGroup, 'day'>, string> = {
  model: 'COALESCE(model_used, model_requested)',
  tool: 'tool',
  client: "COALESCE(client, '(unknown)')",
  provider: 'provider',
  source: 'source',
  status: 'status',
  session: "COALESCE(session, '(none)')",
};

const AGGREGATES = `COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE status = 'error') AS errors,
  COUNT(*) FILTER (WHERE status = 'blocked') AS blocked,
  SUM(prompt_tokens) AS prompt_tokens,
  SUM(completion_tokens) AS completion_tokens,
  COALESCE(SUM(cost_nano_usd), 0) AS cost_nano,
  COUNT(*) FILTER (WHERE status = 'ok' AND cost_nano_usd IS NULL) AS unpriced_calls,
  SUM(usage_estimated) AS estimated_calls`;

/** Per-group sums in SQL; assembleUsageReport() turns them into the report, as for every engine. */
export function createPgUsageReport(pool: pg.Pool): (options: UsageReportOptions) => Promise<UsageReport> {
  return async (options) => {
    // ts is positive, so integer division is the floor the quarter-hour index needs.
    const keyExpr = options.by === 'day' ? `ts / ${QUARTER_HOUR_MS}` : GROUP_COLUMN[options.by];
    const sql = `SELECT ${keyExpr} AS key, ${AGGREGATES} FROM calls WHERE ts >= $1 AND ts < $2 GROUP BY 1`;
    const rows = (await pool.query<RawUsageRow>(sql, [options.since, options.until])).rows;
    return assembleUsageReport(rows, options);
  };
}
