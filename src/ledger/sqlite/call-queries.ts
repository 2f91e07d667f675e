import type { CallRow } from '../calls.js';
import type { CallFilter, CallPage, ErrorGroup } from '../queries/calls.js';
import type { TimeRange } from '../queries/range.js';
import type { Db } from './open.js';
import { SQL } from './sql.js';

export interface CallQueries {
  list(filter: CallFilter): CallPage;
  errors(range: TimeRange): ErrorGroup[];
}

type Param = string | number;

export function createCallQueries(db: Db): CallQueries {
  // SQLite returns the bare columns (error_message) from the row that holds MAX(ts): the latest message.
  const errorGroups = db.prepare<[TimeRange], ErrorGroup>(`
    SELECT error_type, http_status, status, COUNT(*) AS count, MAX(ts) AS last_ts, error_message AS last_message
      FROM calls WHERE ${SQL.inRange} AND status IN ('error', 'blocked')
     GROUP BY error_type, http_status, status
     ORDER BY count DESC, last_ts DESC`);

  const list = (filter: CallFilter): CallPage => {
    const where: string[] = [];
    const params: Record<string, Param> = { limit: filter.limit };
    const add = (clause: string, name: string, value: Param | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params[name] = value;
    };
    add('id < @before', 'before', filter.before);
    add(`${SQL.modelKey} = @model`, 'model', filter.model);
    add('status = @status', 'status', filter.status);
    add('client = @client', 'client', filter.client);
    add('tool = @tool', 'tool', filter.tool);
    add('session = @session', 'session', filter.session);
    add('ts >= @from', 'from', filter.range?.from);
    add('ts < @to', 'to', filter.range?.to);
    // The clauses are fixed strings chosen above; only values are bound, so this is not injectable.
    const sql = `SELECT * FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const calls = db.prepare<[Record<string, Param>], CallRow>(sql).all(params);
    const last = calls[calls.length - 1];
    return { calls, next_before: calls.length === filter.limit && last ? last.id : null };
  };

  return { list, errors: (range) => errorGroups.all(range) };
}
