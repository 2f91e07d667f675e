/**
 * From a postgres:// URL to a pool: TLS as the URL's sslmode asks (with an optional CA file for a
 * managed server), BIGINT and NUMERIC read as JS numbers (ms timestamps and micro-USD sums stay far
 * below 2^53), and errors that name host, port and database but never the password.
 */
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  ssl: false | ConnectionOptions;
  /** The URL with its password removed, fit for logs and errors. */
  location: string;
}

export interface PostgresConnectOptions {
  /** postgres://user:pass@host:5432/db?sslmode=verify-full */
  url: string;
  /** PEM file of the CA that signed the server's certificate (e.g. COMETAPI_MCP_DATABASE_CA). */
  caFile?: string | undefined;
  /** Connections in the pool; 10 by default. */
  poolSize?: number | undefined;
}

/** Bad URL, unreachable server, refused login: what a person sees, never holding the password. */
export class PostgresConnectError extends Error {
  override readonly name = 'PostgresConnectError';
}

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];
const isSslMode = (value: string): value is SslMode => (SSL_MODES as readonly string[]).includes(value);

function readCa(file: string, location: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PostgresConnectError(`cannot read the CA file ${file} for the ledger ${location}: ${reason}`);
  }
}

/** TLS options like libpq's sslmode: require encrypts, verify-ca checks the chain, verify-full also the host name. */
function tlsOptions(mode: SslMode, ca: string | undefined): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // libpq verifies the chain under require too once a root certificate is given.
      return ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca };
  }
}

export function parsePostgresUrl(url: string, caFile?: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PostgresConnectError(
      'the ledger URL is not a valid URL; expected postgres://user:password@host:5432/database',
    );
  }
  parsed.password = parsed.password ? '***' : '';
  const location = parsed.toString();
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new PostgresConnectError(`the ledger URL ${location} must start with postgres:// or postgresql://`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new PostgresConnectError(`the ledger URL ${location} names no database (…/database at the end)`);
  const mode = parsed.searchParams.get('sslmode') ?? (caFile ? 'verify-full' : 'disable');
  if (!isSslMode(mode)) {
    throw new PostgresConnectError(
      `sslmode=${mode} in ${location} is not supported; use one of ${SSL_MODES.join(', ')}`,
    );
  }
  const caPath = caFile ?? parsed.searchParams.get('sslrootcert') ?? undefined;
  if (caPath && mode === 'disable') {
    throw new PostgresConnectError(`a CA file was given for ${location} but sslmode=disable; drop one of them`);
  }
  const ca = caPath ? readCa(caPath, location) : undefined;
  const original = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: original.password ? decodeURIComponent(original.password) : undefined,
    ssl: tlsOptions(mode, ca),
    location,
  };
}

export function describeTarget(t: PostgresTarget): string {
  return `host ${t.host}, port ${t.port}, database "${t.database}" (user "${t.user}")`;
}

/** The driver's message with the password cut out, should any layer ever echo it. */
export function safeMessage(error: unknown, target: PostgresTarget): string {
  const message = error instanceof Error ? error.message : String(error);
  return target.password ? message.split(target.password).join('***') : message;
}

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
