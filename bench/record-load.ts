/**
 * The ledger writer's load for bench/ledger.ts and its worker processes: `inFlight` concurrent
 * `store.calls.record()` awaits, each taking the next record as soon as its own is acknowledged
 * (committed), until every record is written or the time budget is spent.
 */
import type { CallRecord, LedgerStore } from '../src/ledger/store.js';

export interface RecordLoadResult {
  acked: number;
  failed: number;
  /** Failures whose cause was SQLITE_BUSY (the lock wait ran out): the multi-process target is zero. */
  busy: number;
  firstError: string | null;
  ms: number;
}

function isBusy(error: unknown): boolean {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return code.startsWith('SQLITE_BUSY') || String(error).includes('database is locked');
}

export async function recordConcurrently(
  store: LedgerStore,
  records: readonly CallRecord[],
  inFlight: number,
  budgetMs: number,
): Promise<RecordLoadResult> {
  const result: RecordLoadResult = { acked: 0, failed: 0, busy: 0, firstError: null, ms: 0 };
  let next = 0;
  const started = performance.now();
  const deadline = started + budgetMs;
  const writer = async (): Promise<void> => {
    for (let record = records[next++]; record && performance.now() < deadline; record = records[next++]) {
      try {
        await store.calls.record(record);
        result.acked++;
      } catch (error) {
        result.failed++;
        if (isBusy(error)) result.busy++;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  result.ms = performance.now() - started;
  return result;
}
