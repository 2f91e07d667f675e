import type pg from 'pg';
import { recordOfRow, type CopyProgress, type LedgerCopyStore } from '../copies.js';
import { insertCalls } from './calls.js';
import { inTransaction } from './transaction.js';

const MARK = `INSERT INTO ledger_copies (source_ledger, through_id, copied, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (source_ledger) DO UPDATE SET through_id = excluded.through_id,
    copied = ledger_copies.copied + excluded.copied, updated_at = excluded.updated_at`;

export function createPgCopyStore(pool: pg.Pool): LedgerCopyStore {
  return {
    async ledgerId() {
      const row = (await pool.query<{ value: number }>("SELECT value FROM ledger_meta WHERE key = 'ledger_id'"))
        .rows[0];
      if (!row) throw new Error('this ledger has no ledger_id; it was not migrated');
      return row.value;
    },
    async progress(source) {
      const row = (
        await pool.query<CopyProgress>(
          'SELECT through_id AS "throughId", copied FROM ledger_copies WHERE source_ledger = $1',
          [source],
        )
      ).rows[0];
      return row ?? { throughId: 0, copied: 0 };
    },
    async importCalls(source, rows, now) {
      const last = rows.at(-1);
      if (!last) return;
      await inTransaction(pool, async (client) => {
        // Under the same lock as every writer: copied rows get ids in commit order too.
        await insertCalls(client, rows.map(recordOfRow));
        await client.query(MARK, [source, last.id, rows.length, now]);
      });
    },
  };
}
