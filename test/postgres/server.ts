/**
 * Starting a throwaway PostgreSQL cluster (initdb into a temp dir, pg_ctl on a free 127.0.0.1
 * port). No vitest here: ./global-setup.ts runs it outside the test workers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Points the tests at an existing server instead of a throwaway cluster. */
export const ENV_URL = 'COMETAPI_MCP_TEST_DATABASE_URL';

/** The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin; null when none is. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | null {
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
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

export interface Cluster {
  /** URL of the cluster's maintenance database (postgres). */
  adminUrl: string;
  /** Stops the server at once (every connection drops, as in a crash or failover) and starts it again on the same port. */
  restart(): void;
  stop(): void;
}

/** Runs a server binary as the postgres user when we are root (initdb refuses root). */
function runAsOwner(bin: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  if (root) execFileSync('su', ['postgres', '-c', quoted], { stdio: ['ignore', 'ignore', 'pipe'] });
  else execFileSync(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startCluster(bin: string): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometapi-mcp-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // -l each time: a server started or restarted must not hold this process's stderr pipe open.
  const pgCtl = (...args: string[]) =>
    runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), ...args]);
  // fsync stays on: the tests count on commits meaning what they mean in production.
  pgCtl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`, '-w', 'start');
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart() {
      pgCtl('-m', 'immediate', '-w', 'restart');
    },
    stop() {
      pgCtl('-m', 'immediate', '-w', 'stop');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
