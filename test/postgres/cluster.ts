/**
 * A real PostgreSQL for tests: COMETAPI_MCP_TEST_DATABASE_URL when set, else one throwaway cluster
 * per vitest run (initdb into a temp dir, pg_ctl on a free 127.0.0.1 port), started by
 * ./global-setup.ts. Each usePostgres() and createTestDatabase() gets a fresh database of its own.
 * Without PostgreSQL binaries the tests skip with a message; under CI=true they fail instead.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { ENV_URL, findPostgresBin } from './server.js';

const ENABLE_HINT = `install PostgreSQL (apt-get install -y postgresql) or set ${ENV_URL}=postgres://user:pass@127.0.0.1:5432/postgres`;

export const POSTGRES_AVAILABLE = Boolean(process.env[ENV_URL]) || findPostgresBin() !== null;

/** Call once at the top of a test file: reports the skip, or fails the file under CI. */
export function requirePostgres(what: string): void {
  if (POSTGRES_AVAILABLE) return;
  if (process.env.CI === 'true') {
    describe(`${what} in CI`, () => {
      it('needs PostgreSQL', () => {
        throw new Error(`no PostgreSQL binaries under /usr/lib/postgresql; CI must ${ENABLE_HINT} (.ci/postgres.sh)`);
      });
    });
  } else {
    process.stderr.write(`${what} skipped: no PostgreSQL server found; to run them, ${ENABLE_HINT}\n`);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The maintenance database of the run's PostgreSQL (./global-setup.ts); null without one. */
    postgresAdminUrl: string | null;
  }
}

function adminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error(`no PostgreSQL: ${ENABLE_HINT}`);
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement on the maintenance database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let databases = 0;

/** A fresh, empty database on the run's server; drop() removes it, sessions and all. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cometapi_test_${process.pid}_${databases++}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${name}`);
  return { url: withDatabase(adminUrl(), name), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface TestDatabase {
  /** URL of a fresh, empty database of this test file's own. */
  url: string;
  /** Another fresh database on the same server. */
  another(): Promise<string>;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled once beforeAll has run. */
export function usePostgres(): TestDatabase {
  const created: { drop(): Promise<void> }[] = [];
  const create = async (): Promise<string> => {
    const database = await createTestDatabase();
    created.push(database);
    return database.url;
  };
  const db: TestDatabase = { url: '', another: create };
  beforeAll(async () => {
    db.url = await create();
  });
  afterAll(async () => {
    for (const database of created) await database.drop();
  });
  return db;
}
