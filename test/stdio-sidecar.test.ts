import net from 'node:net';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { expect, it } from 'vitest';
import { BUILT_CLI, TEST_KEY, useTestUpstream } from './helpers/harness.js';

const shared = useTestUpstream();

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function connect(name: string, port: number) {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: shared.dir,
    COMETAPI_KEY: TEST_KEY,
    COMETAPI_BASE_URL: shared.sim.baseUrl,
    COMETAPI_MCP_DB: path.join(shared.dir, 'ledger.db'),
    COMETAPI_MCP_PORT: String(port),
  };
  const transport = new StdioClientTransport({ command: process.execPath, args: [BUILT_CLI], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name, version: '1' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

it('the first stdio server serves the dashboard; a second one on the same port carries on without it, and both calls show', async () => {
  const port = await freePort();
  const first = await connect('Cherry Studio', port);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/info`)).ok);
  const second = await connect('Cursor', port);
  expect(
    (await second.client.callTool({ name: 'chat', arguments: { prompt: 'from the second window' } })).isError,
  ).toBeFalsy();
  expect(
    (await first.client.callTool({ name: 'chat', arguments: { prompt: 'from the first window' } })).isError,
  ).toBeFalsy();

  // The first process's sidecar reports both processes' calls: they share the ledger file.
  const body = (await (await fetch(`http://127.0.0.1:${port}/api/breakdown?by=client&range=24h`)).json()) as {
    rows: { key: string; requests: number }[];
  };
  expect(Object.fromEntries(body.rows.map((r) => [r.key, r.requests]))).toEqual({ 'Cherry Studio': 1, Cursor: 1 });
  await second.client.close();
  await first.client.close();
  expect(second.stderr()).toContain('port already in use');
  expect(first.stderr()).toContain('dashboard available');
});
