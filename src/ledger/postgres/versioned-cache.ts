import type pg from 'pg';

/**
 * A value read from a table, cached until the table's counter in ledger_meta moves (statement
 * triggers bump it on every change, from any machine: migrations 0001, 0007). A read costs one
 * primary-key lookup while nothing changed, and a change made anywhere is seen on the very next
 * read. (LISTEN/NOTIFY would save the lookup but arrives asynchronously, so a call right after a
 * change could still see the old value.)
 */
export function createPgVersionedCache<T>(pool: pg.Pool, counter: string, load: () => Promise<T>): () => Promise<T> {
  let cache: { value: T; version: number } | null = null;
  return async () => {
    const version =
      (await pool.query<{ value: number }>('SELECT value FROM ledger_meta WHERE key = $1', [counter])).rows[0]?.value ??
      0;
    if (cache && cache.version === version) return cache.value;
    // Read after the version: a change in between leaves a newer value under an older version,
    // which the next read simply loads again.
    const value = await load();
    cache = { value, version };
    return value;
  };
}
