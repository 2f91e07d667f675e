/**
 * A postgres:// URL read the way libpq reads it (host, port, database, user, sslmode, sslrootcert),
 * with a location for logs and errors that never holds the password. No driver here: the
 * configuration checks URLs with it before anything loads pg.
 */
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { LedgerOpenError } from '../../errors.js';

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

/** Bad URL, unreachable server, refused login: what a person sees, never holding the password. */
export class PostgresConnectError extends LedgerOpenError {
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

/** Query parameters worth showing; any other (libpq also reads ?password=) is left out of logs and errors. */
const SHOWN_PARAMS = new Set(['sslmode', 'sslrootcert']);

/** The URL as logs and errors show it: password masked, only the TLS parameters kept. */
function redactedUrl(url: URL): string {
  const shown = new URL(url);
  shown.password = shown.password ? '***' : '';
  for (const key of [...shown.searchParams.keys()]) if (!SHOWN_PARAMS.has(key)) shown.searchParams.delete(key);
  return shown.toString();
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
  const location = redactedUrl(parsed);
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
    password: original.password
      ? decodeURIComponent(original.password)
      : (original.searchParams.get('password') ?? undefined),
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

/** What is wrong with a ledger URL (null when nothing is), for the configuration's own message. */
export function postgresUrlProblem(url: string): string | null {
  try {
    // The CA file is checked where it is configured (COMETAPI_MCP_DATABASE_CA); here only the URL.
    const parsed = new URL(url);
    parsed.searchParams.delete('sslrootcert');
    parsePostgresUrl(parsed.toString());
    return null;
  } catch (error) {
    return error instanceof PostgresConnectError ? error.message : String(error);
  }
}
