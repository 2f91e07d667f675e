/** A PostgreSQL for benchmarks: COMETAPI_MCP_BENCH_DATABASE_URL, else a throwaway local cluster like the tests'. */
import pg from 'pg';
import { findPostgresBin, startCluster } from '../test/postgres/server.js';

export async function benchPostgres(): Promise<{ adminUrl: string; stop(): void }> {
  const fromEnv = process.env.COMETAPI_MCP_BENCH_DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, stop: () => undefined };
  const bin = findPostgresBin();
  if (!bin) throw new Error('no PostgreSQL: apt-get install -y postgresql, or set COMETAPI_MCP_BENCH_DATABASE_URL');
  return startCluster(bin);
}

/** A fresh database on that server. */
export async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `cometapi_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
