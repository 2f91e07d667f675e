/**
 * COMETAPI_MCP_DATABASE_URL chooses the PostgreSQL ledger for every command: the stdio server (the
 * built binary under a real MCP client), usage, quota, verify and demo --db. Bad URLs and
 * unreachable servers fail fast with host, port and database named, never the password.
 */
import { demoLoopCalls } from '../../src/demo/traffic.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoCommand } from '../../src/commands/demo.js';
import { runVerifyCommand } from '../../src/commands/verify.js';
import { loadConfig, secretsOf } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { openPostgresStore } from '../../src/ledger/postgres/store.js';
import { silentLogger } from '../../src/log.js';
import type { RunningSimulatedUpstream } from '../../src/upstream/simulated.js';
import { allCalls } from '../helpers/ledger.js';
import { BUILT_CLI, TEST_KEY, startTestUpstream, tempDir } from '../helpers/harness.js';
import { POSTGRES_AVAILABLE, requirePostgres, usePostgres } from './cluster.js';

requirePostgres('COMETAPI_MCP_DATABASE_URL tests');

const PASSWORD = 'pw-Xq7-never-shown';
const run = promisify(execFile);

/** The built CLI with a bare environment plus env; resolves with its exit code and output either way. */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BUILT_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', COMETAPI_MCP_TZ: 'UTC', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A port nothing listens on (taken and released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

const configError = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted it');
};

describe('COMETAPI_MCP_DATABASE_URL and COMETAPI_MCP_DATABASE_CA in the configuration', () => {
  it('refuse a bad URL or a missing CA file, naming the variable and never the password', () => {
    const cases: [string, RegExp][] = [
      [`mysql://u:${PASSWORD}@db:3306/x`, /must start with postgres:\/\/ or postgresql:\/\//],
      [`postgres://u:${PASSWORD}@db:5432/`, /names no database/],
      [`postgres://u:${PASSWORD}@db/x?sslmode=prefer`, /sslmode=prefer .* is not supported/],
    ];
    for (const [url, reason] of cases) {
      const message = configError({ COMETAPI_MCP_DATABASE_URL: url });
      expect(message).toMatch(/COMETAPI_MCP_DATABASE_URL: /);
      expect(message).toMatch(reason);
      expect(message).not.toContain(PASSWORD);
    }
    const ca = configError({ COMETAPI_MCP_DATABASE_URL: 'postgres://db/x', COMETAPI_MCP_DATABASE_CA: '/nope/ca.pem' });
    expect(ca).toMatch(/COMETAPI_MCP_DATABASE_CA: no such file/);
  });

  it('count the URL password (userinfo or ?password=) among the secrets redacted from logs', () => {
    const inUserinfo = loadConfig({ COMETAPI_MCP_DATABASE_URL: `postgres://u:${PASSWORD}@db/x` });
    expect(secretsOf(inUserinfo)).toContain(PASSWORD);
    const inQuery = loadConfig({ COMETAPI_MCP_DATABASE_URL: `postgres://u@db/x?password=${PASSWORD}` });
    expect(secretsOf(inQuery)).toContain(PASSWORD);
  });

  it('an unreachable server: usage exits 2 naming host, port and database, without the password or a stack', async () => {
    const port = await closedPort();
    const home = tempDir();
    try {
      const url = `postgres://team:${PASSWORD}@127.0.0.1:${port}/cometapi?password=${PASSWORD}`;
      const { code, stdout, stderr } = await cli(['usage'], { HOME: home, COMETAPI_MCP_DATABASE_URL: url });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`host 127.0.0.1, port ${port}, database "cometapi"`);
      expect(stderr).toContain('COMETAPI_MCP_DATABASE_URL');
      expect(stderr).not.toContain(PASSWORD);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe.runIf(POSTGRES_AVAILABLE)('every command on the PostgreSQL ledger', () => {
  const database = usePostgres();
  let sim: RunningSimulatedUpstream;
  let home: string;
  let url: string;
  beforeAll(async () => {
    if (!fs.existsSync(BUILT_CLI)) throw new Error('dist/cli.js is missing: run `npm run build`');
    sim = await startTestUpstream();
    home = tempDir();
    // Trust authentication accepts any password: enough to prove it never shows.
    const u = new URL(database.url);
    u.password = PASSWORD;
    url = u.toString();
  });
  afterAll(async () => {
    await sim.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const env = () => ({
    HOME: home,
    COMETAPI_KEY: TEST_KEY,
    COMETAPI_BASE_URL: sim.baseUrl,
    COMETAPI_MCP_DATABASE_URL: url,
  });

  it('the stdio server records its calls there, and quota and usage read them back', async () => {
    const set = await cli(
      ['quota', 'set', '--name', 'team-day', '--metric', 'requests', '--period', 'day', '--limit', '50', '--hard'],
      env(),
    );
    expect(set.code).toBe(0);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BUILT_CLI],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...env(),
        COMETAPI_MCP_SIDECAR: 'off',
        COMETAPI_MCP_LOG_LEVEL: 'info',
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'laptop-ana', version: '1.0.0' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'chat', arguments: { prompt: 'hello team' } });
    expect(result.isError).toBeFalsy();
    await client.close();

    const store = await openPostgresStore({ url: database.url });
    try {
      expect(await allCalls(store)).toMatchObject([{ client: 'laptop-ana', tool: 'chat', status: 'ok' }]);
    } finally {
      await store.close();
    }
    expect(stderr).toContain('stdio server ready');
    expect(stderr).toContain(`postgres://postgres:***@${new URL(url).host}`);
    expect(stderr).not.toContain(PASSWORD);

    const usage = await cli(['usage', '--by', 'client', '--json'], env());
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout).rows).toMatchObject([{ key: 'laptop-ana', requests: 1 }]);
    const quotas = await cli(['quota', 'list', '--json'], env());
    expect(JSON.parse(quotas.stdout)).toMatchObject([{ name: 'team-day', used: 1, limit: 50 }]);
  });

  it('verify says which ledger it wrote to, without the password', async () => {
    let out = '';
    const config = loadConfig({ ...env(), COMETAPI_MCP_DATA_DIR: home });
    expect(await runVerifyCommand(config, silentLogger, (t) => (out += t))).toBe(true);
    expect(out).toContain(`Recorded in the PostgreSQL ledger postgres://postgres:***@${new URL(url).host}/`);
    expect(out).not.toContain(PASSWORD);
  });

  it('demo --db postgres://… writes its simulated traffic there', async () => {
    const demoDb = await database.another();
    let out = '';
    const config = loadConfig({
      HOME: home,
      COMETAPI_MCP_DATA_DIR: path.join(home, 'demo-data'),
      COMETAPI_MCP_TZ: 'UTC',
    });
    const code = await runDemoCommand(
      ['--calls', '6', '--no-dashboard', '--db', demoDb],
      config,
      silentLogger,
      (t) => (out += t),
    );
    expect(code).toBe(0);
    expect(out).toContain(`Simulated usage is recorded in ${demoDb}`);
    const store = await openPostgresStore({ url: demoDb });
    try {
      // Six calls of ordinary traffic, and the looping session that shows the loop guard.
      expect(await store.calls.count()).toBe(6 + demoLoopCalls(config.loopGuard));
    } finally {
      await store.close();
    }
  });
});
