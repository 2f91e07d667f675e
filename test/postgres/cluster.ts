/**
 * A real PostgreSQL for tests: COMETAPI_MCP_TEST_DATABASE_URL when set, else a throwaway cluster
 * (initdb into a temp dir, pg_ctl on a free 127.0.0.1 port) that lives as long as the test file.
 * Each usePostgres() call gets a fresh database of its own. Without PostgreSQL binaries the tests
 * skip with a message; under CI=true they fail instead.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

const ENV_URL = 'COMETAPI_MCP_TEST_DATABASE_URL';
const ENABLE_HINT = `install PostgreSQL (apt-get install -y postgresql) or set ${ENV_URL}=postgres://user:pass@127.0.0.1:5432/postgres`;

/** The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin; null when none is. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | null {
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Cluster {
  /** URL of the cluster's maintenance database (postgres). */
  adminUrl: string;
  stop(): void;
}

/** Runs a server binary as the postgres user when we are root (initdb refuses root). */
function runAsOwner(bin: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  if (root) execFileSync('su', ['postgres', '-c', quoted], { stdio: ['ignore', 'ignore', 'pipe'] });
  else execFileSync(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function startCluster(bin: string): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometapi-mcp-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // fsync stays on: the tests count on commits meaning what they mean in production.
  runAsOwner(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    '-w',
    'start',
  ]);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  /** URL of a fresh, empty database of this test file's own. */
  url: string;
  /** Another fresh database on the same server. */
  another(): Promise<string>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Registers beforeAll/afterAll hooks; the returned object is filled once beforeAll has run. */
export function usePostgres(): TestDatabase {
  let cluster: Cluster | null = null;
  let adminUrl = '';
  const created: string[] = [];
  const create = async (): Promise<string> => {
    const name = `cometapi_test_${process.pid}_${created.length}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    created.push(name);
    return withDatabase(adminUrl, name);
  };
  const db: TestDatabase = { url: '', another: create };
  beforeAll(async () => {
    const fromEnv = process.env[ENV_URL];
    if (fromEnv) adminUrl = fromEnv;
    else {
      const bin = findPostgresBin();
      if (!bin) throw new Error(`no PostgreSQL: ${ENABLE_HINT}`);
      cluster = await startCluster(bin);
      adminUrl = cluster.adminUrl;
    }
    db.url = await create();
  }, 120_000);
  afterAll(async () => {
    if (cluster) {
      cluster.stop(); // takes every database with it
      return;
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  return db;
}
