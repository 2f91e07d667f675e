import { CALL_COLUMNS, type CallRow } from '../calls.js';
import { recordOfRow, type CopyProgress, type LedgerCopyStore } from '../copies.js';
import { toParams, type SqlValue } from './calls.js';
import type { Db } from './open.js';

export function createSqliteCopyStore(db: Db): LedgerCopyStore {
  const idStmt = db.prepare<[], number>("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").pluck();
  const progressStmt = db.prepare<[number], CopyProgress>(
    'SELECT through_id AS throughId, copied FROM ledger_copies WHERE source_ledger = ?',
  );
  const insert = db.prepare<SqlValue[]>(
    `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`,
  );
  const mark = db.prepare<[number, number, number, number]>(
    `INSERT INTO ledger_copies (source_ledger, through_id, copied, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source_ledger) DO UPDATE SET through_id = excluded.through_id,
       copied = ledger_copies.copied + excluded.copied, updated_at = excluded.updated_at`,
  );
  const importAll = db.transaction((source: number, rows: readonly CallRow[], now: number) => {
    for (const row of rows) insert.run(...toParams(recordOfRow(row)));
    const last = rows.at(-1);
    if (last) mark.run(source, last.id, rows.length, now);
  });
  return {
    ledgerId: async () => {
      const id = idStmt.get();
      if (id === undefined) throw new Error('this ledger has no ledger_id; it was not migrated');
      return id;
    },
    progress: async (source) => progressStmt.get(source) ?? { throughId: 0, copied: 0 },
    importCalls: async (source, rows, now) => importAll.immediate(source, rows, now),
  };
}
