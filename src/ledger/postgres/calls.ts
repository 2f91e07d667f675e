import type pg from 'pg';
import { CALL_COLUMNS, OMITTED_COLUMN_VALUES, type CallColumn, type CallRecord, type CallRow } from '../calls.js';
import { createGroupCommit, type GroupCommitOptions } from '../group-commit.js';
import { LedgerWriteError, type CallStore } from '../store.js';
import { inTransaction } from './transaction.js';

/** Each column's type, to cast the per-column parameter arrays unnest() spreads into rows. */
const COLUMN_TYPES: Readonly<Record<CallColumn, string>> = {
  ts: 'bigint',
  duration_ms: 'bigint',
  ttft_ms: 'bigint',
  source: 'text',
  client: 'text',
  tool: 'text',
  provider: 'text',
  model_requested: 'text',
  model_used: 'text',
  stream: 'smallint',
  prompt_tokens: 'bigint',
  completion_tokens: 'bigint',
  cached_tokens: 'bigint',
  reasoning_tokens: 'bigint',
  images: 'bigint',
  usage_estimated: 'smallint',
  cost_nano_usd: 'bigint',
  status: 'text',
  http_status: 'integer',
  error_type: 'text',
  error_message: 'text',
  retries: 'integer',
  fallback_from: 'text',
  request_id: 'text',
  input_chars: 'bigint',
  audio_seconds: 'double precision',
  cache_write_tokens: 'bigint',
  session: 'text',
};

/**
 * One statement per batch whatever its size: a parameter per column (an array of that column's
 * values), so the text never changes and is prepared once per connection. WITH ORDINALITY fixes
 * the order rows are inserted in, hence the order of their ids and of RETURNING.
 */
const INSERT_SQL = `INSERT INTO calls (${CALL_COLUMNS.join(', ')})
  SELECT ${CALL_COLUMNS.join(', ')} FROM unnest(${CALL_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')})
    WITH ORDINALITY AS r(${CALL_COLUMNS.join(', ')}, ord) ORDER BY ord
  RETURNING id`;

/**
 * Writers take this transaction lock before inserting, so ids are handed out and committed in
 * one order across every machine: a reader that has seen id n has seen every committed id below
 * n. The live feed, /metrics, incremental quota usage and the rollups all read "id > cursor" and
 * rely on that. The lock is held for one batch's insert and commit only.
 */
const CALLS_WRITE_LOCK = 0x636f6d6574_02;

type Value = string | number | null;

/** PostgreSQL text cannot hold U+0000 (SQLite's can); one such byte must not fail a whole batch. */
const storable = (value: Value): Value => (typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value);

function columnArrays(records: readonly CallRecord[]): Value[][] {
  return CALL_COLUMNS.map((column) =>
    records.map((record) => {
      const value = record[column];
      if (value === undefined) return OMITTED_COLUMN_VALUES[column] ?? null;
      return typeof value === 'boolean' ? (value ? 1 : 0) : storable(value);
    }),
  );
}

/** Inserts rows inside the caller's transaction, under the writers' lock; returns their ids in order. */
export async function insertCalls(client: pg.PoolClient, records: readonly CallRecord[]): Promise<number[]> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [CALLS_WRITE_LOCK]);
  const inserted = await client.query<{ id: number }>({
    name: 'cometapi-insert-calls',
    text: INSERT_SQL,
    values: columnArrays(records),
  });
  return inserted.rows.map((r) => r.id);
}

export function createPostgresCallStore(
  pool: pg.Pool,
  location: string,
  group: GroupCommitOptions,
): CallStore & { drain(): Promise<void> } {
  const writeBatch = async (records: readonly CallRecord[]): Promise<number[]> => {
    if (records.length === 0) return [];
    try {
      return await inTransaction(pool, (client) => insertCalls(client, records));
    } catch (error) {
      const n = records.length;
      throw new LedgerWriteError(
        `could not write ${n} call row${n === 1 ? '' : 's'} to the ledger ${location} ` +
          `(${error instanceof Error ? error.message : String(error)}); none of them was recorded. ` +
          'Check that the PostgreSQL server is reachable and the rows are valid.',
        n,
        error,
      );
    }
  };
  const batcher = createGroupCommit(writeBatch, group);

  const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T | undefined> =>
    (await pool.query<T>(text, values)).rows[0];

  return {
    record: (record) => batcher.push(record),
    recordMany: (records) => writeBatch(records),
    get: (id) => one<CallRow>('SELECT * FROM calls WHERE id = $1', [id]),
    count: async () => (await one<{ n: number }>('SELECT COUNT(*) AS n FROM calls', []))?.n ?? 0,
    maxId: async () => (await one<{ id: number | null }>('SELECT MAX(id) AS id FROM calls', []))?.id ?? 0,
    after: async (afterId, limit) =>
      (await pool.query<CallRow>('SELECT * FROM calls WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit])).rows,
    drain: () => batcher.drain(),
  };
}
