import {
  QUARTER_HOUR_MS,
  assembleUsageReport,
  type RawUsageRow,
  type UsageGroup,
  type UsageReport,
  type UsageReportOptions,
} from '../usage-report.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.js';

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
  SUM(status = 'error') AS errors,
  SUM(status = 'blocked') AS blocked,
  SUM(prompt_tokens) AS prompt_tokens,
  SUM(completion_tokens) AS completion_tokens,
  COALESCE(SUM(cost_nano_usd), 0) AS cost_nano,
  SUM(status = 'ok' AND cost_nano_usd IS NULL) AS unpriced_calls,
  SUM(usage_estimated) AS estimated_calls`;

export type UsageReportQuery = (options: UsageReportOptions) => UsageReport;

export function createUsageReportQuery(db: Db): UsageReportQuery {
  const cache = new Map<string, Database.Statement<[number, number], RawUsageRow>>();
  return (options) => {
    const keyExpr = options.by === 'day' ? `ts / ${QUARTER_HOUR_MS}` : GROUP_COLUMN[options.by];
    const sql = `SELECT ${keyExpr} AS key, ${AGGREGATES} FROM calls WHERE ts >= ? AND ts < ? GROUP BY 1`;
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare<[number, number], RawUsageRow>(sql)));
    return assembleUsageReport(statement.all(options.since, options.until), options);
  };
}
