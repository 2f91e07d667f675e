import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** migrations/ sits three levels above both src/ledger/postgres and dist/ledger/postgres. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

/** Any fixed 64-bit key; every process that migrates this schema takes the same one. */
const MIGRATION_LOCK = 0x636f6d6574_01;

/**
 * Applies every NNNN_*.sql not yet in schema_migrations, each in its own transaction, under a
 * session advisory lock: processes starting together take turns, and the second finds the work
 * done. Returns the files this call applied.
 */
export async function migrate(pool: pg.Pool, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort();
  const client = await pool.connect();
  const done: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const applied = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
      const have = new Set(applied.rows.map((r) => r.name));
      for (const file of files) {
        if (have.has(file)) continue;
        const sql = fs.readFileSync(path.join(dir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [file, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        }
        done.push(file);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  return done;
}
