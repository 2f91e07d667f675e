import type { CallRecord, CallRow } from './calls.js';

/** How far one source ledger has been copied into this one. */
export interface CopyProgress {
  /** The source's last call id copied here; 0 when nothing was. */
  throughId: number;
  /** Calls copied from it in all. */
  copied: number;
}

/** What `ledger copy` needs of a ledger, as source and as target. */
export interface LedgerCopyStore {
  /** This ledger's stable id (made by its migration), naming it as a copy's source. */
  ledgerId(): Promise<number>;
  progress(sourceLedger: number): Promise<CopyProgress>;
  /**
   * Inserts the rows (they get ids of this ledger) and moves the source's progress to the last
   * row's id, in one transaction: an interrupted copy leaves whole batches and a matching mark.
   */
  importCalls(sourceLedger: number, rows: readonly CallRow[], now: number): Promise<void>;
}
/** A stored row as a record to write elsewhere: without its id, flags as booleans again. */
export function recordOfRow(row: CallRow): CallRecord {
  const { id: _id, stream, usage_estimated, ...rest } = row;
  return { ...rest, stream: stream === 1, usage_estimated: usage_estimated === 1 };
}
