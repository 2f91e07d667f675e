import type { Db } from './open.js';

/**
 * A value read from a table, cached until the table changes in any process. The cache holds while
 * PRAGMA data_version says no other connection has committed, or, when one has, while the
 * table's counter in ledger_meta (bumped by triggers on every change: migrations 0007, 0011) has
 * not moved: calls from other processes do not cost a re-read, a change made anywhere is seen on
 * the next read. This connection's own writes do not move data_version: they call drop().
 */
export interface VersionedCache<T> {
  get(): T;
  drop(): void;
}

export function createVersionedCache<T>(db: Db, counter: string, load: () => T): VersionedCache<T> {
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  const tableVersion = db.prepare<[string], number>('SELECT value FROM ledger_meta WHERE key = ?').pluck();
  let cache: { value: T; dataVersion: number; tableVersion: number } | null = null;
  return {
    get() {
      const data = dataVersion.get() ?? 0;
      if (cache && cache.dataVersion === data) return cache.value;
      const version = tableVersion.get(counter) ?? 0;
      if (cache && cache.tableVersion === version) {
        cache.dataVersion = data;
        return cache.value;
      }
      const value = load();
      cache = { value, dataVersion: data, tableVersion: version };
      return value;
    },
    drop() {
      cache = null;
    },
  };
}
