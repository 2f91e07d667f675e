import type pg from 'pg';
import type { CallRow } from '../calls.js';
import type { CallFilter, CallPage, ErrorGroup } from '../queries/calls.js';
import type { MetricSourceRow } from '../queries/metrics.js';
import type { TimeRange } from '../queries/range.js';
import { PG_SQL } from './sql.js';

export interface PgCallQueries {
  list(filter: CallFilter): Promise<CallPage>;
  errors(range: TimeRange): Promise<ErrorGroup[]>;
  metricRows(afterId: number, limit: number): Promise<MetricSourceRow[]>;
}

// The latest message of each group: SQLite's bare column beside MAX(ts), written out. Ties in the
// order are broken by the group's columns so the answer is stable.
const ERRORS_SQL = `
  SELECT error_type, http_status, status, COUNT(*) AS count, MAX(ts) AS last_ts,
         (array_agg(error_message ORDER BY ts DESC, id))[1] AS last_message
    FROM calls WHERE ts >= $1 AND ts < $2 AND status IN ('error', 'blocked')
   GROUP BY error_type, http_status, status
   ORDER BY count DESC, last_ts DESC, error_type NULLS FIRST, http_status NULLS FIRST, status`;

const METRIC_ROWS_SQL = `
  SELECT id, ts, ${PG_SQL.modelKey} AS model, tool, client, status, error_type, prompt_tokens, completion_tokens,
         cost_nano_usd, ${PG_SQL.unpriced}::int AS unpriced, usage_estimated, retries, duration_ms, ttft_ms
    FROM calls WHERE id > $1 ORDER BY id LIMIT $2`;

export function createPgCallQueries(pool: pg.Pool): PgCallQueries {
  const list = async (filter: CallFilter): Promise<CallPage> => {
    const where: string[] = [];
    const values: (string | number)[] = [];
    const add = (clause: (param: string) => string, value: string | number | undefined) => {
      if (value === undefined) return;
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    add((p) => `id < ${p}`, filter.before);
    add((p) => `${PG_SQL.modelKey} = ${p}`, filter.model);
    add((p) => `status = ${p}`, filter.status);
    add((p) => `client = ${p}`, filter.client);
    add((p) => `tool = ${p}`, filter.tool);
    add((p) => `session = ${p}`, filter.session);
    add((p) => `ts >= ${p}`, filter.range?.from);
    add((p) => `ts < ${p}`, filter.range?.to);
    values.push(filter.limit);
    // The clauses are fixed strings chosen above; only values are bound, so this is not injectable.
    const sql = `SELECT * FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.length}`;
    const calls = (await pool.query<CallRow>(sql, values)).rows;
    const last = calls[calls.length - 1];
    return { calls, next_before: calls.length === filter.limit && last ? last.id : null };
  };
  return {
    list,
    errors: async (range) => (await pool.query<ErrorGroup>(ERRORS_SQL, [range.from, range.to])).rows,
    metricRows: async (afterId, limit) => (await pool.query<MetricSourceRow>(METRIC_ROWS_SQL, [afterId, limit])).rows,
  };
}
