import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createServer } from '../../src/mcp/server.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import type { LedgerEngine } from './ledger-engines.js';
import {
  startSimulatedUpstream,
  type RunningSimulatedUpstream,
  type SimulatedUpstreamOptions,
} from '../../src/upstream/simulated.js';

export const TEST_KEY = 'sk-test-4f8a1c9e2b7d6a5f3e0c1b2a9d8e7f6a';

export interface Harness {
  sim: RunningSimulatedUpstream;
  config: Config;
  runtime: Runtime;
  client: Client;
  /** Every log line the runtime wrote. */
  logs: string[];
  /** Backoff delays the retry loop asked for (the sleep itself is skipped). */
  sleeps: number[];
  dir: string;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** null: run with no key configured. */
  key?: string | null;
  clientName?: string;
  env?: Record<string, string>;
  sim?: SimulatedUpstreamOptions;
  /** The engine of the ledger (a fresh one); SQLite in the harness's directory when left out. */
  engine?: LedgerEngine;
  /** The runtime's wall clock (row times, quota periods); the simulator's billing takes its own. */
  clock?: () => number;
}

/** The environment every harness starts from: the test key, the simulator, a ledger in `dir`, UTC. */
export function testConfig(baseUrl: string, dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    COMETAPI_KEY: TEST_KEY,
    COMETAPI_BASE_URL: baseUrl,
    COMETAPI_MCP_DATA_DIR: dir,
    COMETAPI_MCP_DB: path.join(dir, 'ledger.db'),
    COMETAPI_MCP_TZ: 'UTC',
    COMETAPI_TIMEOUT_MS: '2000',
    ...env,
  });
}

/** The simulated upstream as tests use it: the test key, no latency, no token pacing. */
export function startTestUpstream(options: SimulatedUpstreamOptions = {}): Promise<RunningSimulatedUpstream> {
  return startSimulatedUpstream({ apiKey: TEST_KEY, latencyMs: 0, tokensPerSecond: 0, ...options });
}

/** The built CLI, which MCP clients spawn (npm test builds it first). */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** One test upstream and one temp dir for all tests of a file, closed and removed after them. */
export function useTestUpstream(): { readonly sim: RunningSimulatedUpstream; readonly dir: string } {
  let sim: RunningSimulatedUpstream | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    sim = await startTestUpstream();
    dir = tempDir();
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestUpstream: used outside a test');
    return value;
  };
  return {
    get sim() {
      return started(sim);
    },
    get dir() {
      return started(dir);
    },
  };
}

export function tempDir(prefix = 'cometapi-mcp-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The real server, runtime, ledger file and simulated upstream over HTTP, with a linked MCP client. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startTestUpstream(options.sim);
  const dir = tempDir();
  const key = options.key === undefined ? TEST_KEY : options.key;
  const ledger = options.engine ? await options.engine.open() : null;
  const config = testConfig(sim.baseUrl, dir, {
    COMETAPI_KEY: key ?? '', // '' means unset
    COMETAPI_QUERY_URL: sim.queryUrl,
    ...ledger?.env,
    ...options.env,
  });
  const logs: string[] = [];
  const sleeps: number[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [TEST_KEY] });
  const runtime = await createRuntime({
    config,
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    clock: options.clock,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: options.clientName ?? 'vitest-client', version: '1.0.0' });
  await Promise.all([
    createServer(runtime.serverDeps('mcp-stdio')).connect(serverTransport),
    client.connect(clientTransport),
  ]);
  return {
    sim,
    config,
    runtime,
    client,
    logs,
    sleeps,
    dir,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await runtime.close();
      await ledger?.cleanup();
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
