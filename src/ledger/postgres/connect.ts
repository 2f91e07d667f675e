/**
 * From a parsed target (./target.ts) to a pool: BIGINT and NUMERIC read as JS numbers (ms
 * timestamps and nano-USD sums stay far below 2^53), and a first connection whose error names
 * host, port and database but never the password.
 */
import pg from 'pg';
import { describeTarget, safeMessage, type PostgresTarget, PostgresConnectError } from './target.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const toNumber = (text: string): number => Number(text);

/** A pool of connections to target; its parsers are its own, nothing global changes. */
export function createPool(target: PostgresTarget, poolSize = 10): pg.Pool {
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: target.ssl,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    application_name: 'cometapi-mcp',
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? toNumber : pg.types.getTypeParser(oid, format ?? 'text'),
    },
  });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool; the
  // next query opens a fresh one. Without a listener the event would end the process.
  pool.on('error', () => undefined);
  // A connection dropped while checked out (between statements, or after its query failed) emits
  // 'error' on the client, which no pool listener covers then: the process would die. The
  // statement in flight rejects on its own, and a broken client is released with its error.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Opens one connection to prove the URL works; the error says where it tried and what to do. */
export async function checkConnection(pool: pg.Pool, target: PostgresTarget): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    throw new PostgresConnectError(
      `could not connect to the PostgreSQL ledger at ${describeTarget(target)}: ${safeMessage(error, target)}. ` +
        'Check that the server is running and reachable, the database exists and COMETAPI_MCP_DATABASE_URL is right.',
      { cause: error },
    );
  }
}
