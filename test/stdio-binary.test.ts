import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { allCalls } from './helpers/ledger.js';
import type { RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { BUILT_CLI, TEST_KEY, startTestUpstream, tempDir } from './helpers/harness.js';

let sim: RunningSimulatedUpstream;
let home: string;
beforeAll(async () => {
  if (!fs.existsSync(BUILT_CLI))
    throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
  sim = await startTestUpstream();
  home = tempDir('cometapi-mcp-home-');
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** What an MCP client gives a stdio server: PATH, HOME and its config's env, nothing else. */
const bareEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  COMETAPI_KEY: TEST_KEY,
  COMETAPI_BASE_URL: sim.baseUrl,
  COMETAPI_MCP_SIDECAR: 'off',
  ...extra,
});

describe('the built binary over stdio', () => {
  it('initializes quickly, serves calls under one session id, and writes the ledger under HOME by default', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BUILT_CLI],
      env: bareEnv(),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'inspector-cli', version: '0.0.1' });
    const started = performance.now();
    await client.connect(transport);
    const initializeMs = performance.now() - started;
    process.stderr.write(`[stdio-binary] spawn → initialize answered: ${initializeMs.toFixed(0)} ms\n`);
    const result = await client.callTool({ name: 'chat', arguments: { prompt: 'from a child process' } });
    expect(result.isError).toBeFalsy();
    await client.callTool({ name: 'create_embeddings', arguments: { input: 'and again' } });
    await client.close();

    const ledgerFile = path.join(home, '.local', 'share', 'cometapi-mcp', 'ledger.db');
    const ledger = openSqliteStore({ file: ledgerFile });
    try {
      const rows = await allCalls(ledger);
      expect(rows).toMatchObject([
        { client: 'inspector-cli', tool: 'chat', status: 'ok', source: 'mcp-stdio' },
        { client: 'inspector-cli', tool: 'create_embeddings', status: 'ok', source: 'mcp-stdio' },
      ]);
      // One session id for the whole process: the client window that spawned it.
      expect(rows[0]?.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(rows[1]?.session).toBe(rows[0]?.session);
    } finally {
      await ledger.close();
    }
    expect(stderr).not.toContain(TEST_KEY);
  });

  it('writes nothing but JSON-RPC to stdout, even for failing calls', async () => {
    const dbDir = tempDir();
    const child = spawn(process.execPath, [BUILT_CLI], {
      env: bareEnv({ COMETAPI_MCP_DB: path.join(dbDir, 'l.db'), COMETAPI_MCP_LOG_LEVEL: 'debug' }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const send = (msg: object) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/list' });
    send({ id: 3, method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'x', model: 'no-such-model' } } });
    send({ id: 4, method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'ok' } } });
    const deadline = Date.now() + 10_000;
    while (!/"id":4/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const failed = lines
      .map((l) => JSON.parse(l) as { id?: number; result?: { isError?: boolean } })
      .find((m) => m.id === 3);
    expect(failed?.result?.isError).toBe(true);
    expect(stderr).toContain('"level"');
    expect(stderr).not.toContain(TEST_KEY);
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  it('fails fast naming the variable when the configuration is invalid', async () => {
    const child = spawn(process.execPath, [BUILT_CLI], {
      env: bareEnv({ COMETAPI_BASE_URL: 'not a url', COMETAPI_MAX_RETRIES: 'many' }),
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('COMETAPI_BASE_URL');
    expect(stderr).toContain('COMETAPI_MAX_RETRIES');
  });
});
