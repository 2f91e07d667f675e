import type pg from 'pg';

/**
 * Runs fn in one transaction on one pooled connection, rolled back if it throws. A rollback that
 * fails means the connection is gone, so it is released as broken and the pool never hands it out
 * again.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw error;
  } finally {
    client.release(broken);
  }
}
