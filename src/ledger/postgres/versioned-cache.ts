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

/** Runs fn in one transaction on one pooled connection, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
