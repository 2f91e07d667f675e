import { CALL_COLUMNS, OMITTED_COLUMN_VALUES, type CallRecord, type CallRow } from '../calls.js';
import { createGroupCommit, type GroupCommitOptions } from '../group-commit.js';
import { LedgerWriteError, type CallStore } from '../store.js';
import type { Db } from './open.js';

export type SqlValue = string | number | null;

export function toParams(record: CallRecord): SqlValue[] {
  return CALL_COLUMNS.map((column) => {
    const value = record[column];
    if (value === undefined) return OMITTED_COLUMN_VALUES[column] ?? null;
    return typeof value === 'boolean' ? (value ? 1 : 0) : value;
  });
}

/** The calls table: group-committed inserts and the reads the live views need. */
export function createSqliteCallStore(
  db: Db,
  file: string,
  group: GroupCommitOptions,
): CallStore & { drain(): Promise<void> } {
  // Prepared once: the insert is on every call's path.
  const insert = db.prepare<SqlValue[]>(
    `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`,
  );
  const getStmt = db.prepare<[number], CallRow>('SELECT * FROM calls WHERE id = ?');
  const countStmt = db.prepare<[], number>('SELECT COUNT(*) FROM calls').pluck();
  const maxIdStmt = db.prepare<[], number | null>('SELECT MAX(id) FROM calls').pluck();
  const afterStmt = db.prepare<[number, number], CallRow>('SELECT * FROM calls WHERE id > ? ORDER BY id LIMIT ?');
  // IMMEDIATE takes the write lock before the first insert, so a batch never fails halfway for a
  // lock another process holds; busy_timeout makes it wait its turn instead.
  const insertAll = db.transaction((records: readonly CallRecord[]) =>
    records.map((record) => Number(insert.run(...toParams(record)).lastInsertRowid)),
  );

  const writeBatch = (records: readonly CallRecord[]): number[] => {
    try {
      return insertAll.immediate(records);
    } catch (error) {
      const n = records.length;
      throw new LedgerWriteError(
        `could not write ${n} call row${n === 1 ? '' : 's'} to the ledger ${file} ` +
          `(${error instanceof Error ? error.message : String(error)}); none of them was recorded. ` +
          'Check that the file and its folder are writable and the disk has space.',
        n,
        error,
      );
    }
  };
  const batcher = createGroupCommit(writeBatch, group);

  return {
    record: (record) => batcher.push(record),
    recordMany: async (records) => writeBatch(records),
    get: async (id) => getStmt.get(id),
    count: async () => countStmt.get() ?? 0,
    maxId: async () => maxIdStmt.get() ?? 0,
    after: async (afterId, limit) => afterStmt.all(afterId, limit),
    drain: () => batcher.drain(),
  };
}
