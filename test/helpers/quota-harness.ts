import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  LoggingMessageNotificationSchema,
  type CallToolResult,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../../src/config.js';
import { ALERT_LOGGER, type DeliveryPolicy } from '../../src/alerts/notify.js';
import type { CallRecord } from '../../src/ledger/calls.js';
import { createLogger } from '../../src/log.js';
import { createServer } from '../../src/mcp/server.js';
import type { Quota } from '../../src/ledger/store.js';
import { setQuota } from '../../src/quotas/manage.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSimulatedUpstream, type RunningSimulatedUpstream } from '../../src/upstream/simulated.js';
import { TEST_KEY, tempDir, testConfig } from './harness.js';
import type { LedgerEngine } from './ledger-engines.js';
import { callRecord, type EngineLedger } from './ledger.js';

/**
 * Like harness.ts, plus what quota tests need: a settable clock, the configured zone, a webhook
 * URL, short webhook retries, and the MCP logging notifications the client received.
 */
export interface QuotaHarness {
  sim: RunningSimulatedUpstream;
  config: Config;
  runtime: Runtime;
  client: Client;
  clock: { now: number };
  logs: string[];
  /** The quota alert notices (notifications/message) the client received; per-call logs are left out. */
  notices: LoggingMessageNotification['params'][];
  dir: string;
  /** The ledger when an engine was given: another store on it stands in for another machine. */
  ledger: EngineLedger | null;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Creates or changes a quota through the same validation as the CLI and API. */
  quota(input: Record<string, unknown>): Promise<Quota>;
  close(): Promise<void>;
}

export interface QuotaHarnessOptions {
  timeZone?: string;
  now?: number;
  clientName?: string;
  webhookUrl?: string;
  delivery?: Partial<DeliveryPolicy>;
  simLatencyMs?: number;
  /** The engine of the ledger (a fresh one); SQLite in the harness's own directory when left out. */
  engine?: LedgerEngine;
}

export async function startQuotaHarness(options: QuotaHarnessOptions = {}): Promise<QuotaHarness> {
  const sim = await startSimulatedUpstream({
    apiKey: TEST_KEY,
    latencyMs: options.simLatencyMs ?? 0,
    tokensPerSecond: 0,
  });
  const dir = tempDir('cometapi-mcp-quota-');
  const ledger = options.engine ? await options.engine.open() : null;
  const config = testConfig(sim.baseUrl, dir, {
    ...ledger?.env,
    COMETAPI_MCP_TZ: options.timeZone ?? 'UTC',
    COMETAPI_MAX_RETRIES: '0',
    ...(options.webhookUrl ? { COMETAPI_MCP_WEBHOOK_URL: options.webhookUrl } : {}),
  });
  const clock = { now: options.now ?? Date.now() };
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [TEST_KEY] });
  const runtime = await createRuntime({
    config,
    logger,
    clock: () => clock.now,
    alertDelivery: options.delivery,
    sleep: async () => undefined,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: options.clientName ?? 'vitest-client', version: '1.0.0' });
  const notices: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    if (n.params.logger === ALERT_LOGGER) notices.push(n.params);
  });
  await Promise.all([
    createServer(runtime.serverDeps('mcp-stdio')).connect(serverTransport),
    client.connect(clientTransport),
  ]);
  return {
    sim,
    config,
    runtime,
    client,
    clock,
    logs,
    notices,
    dir,
    ledger,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    quota: (input) =>
      setQuota(runtime.store.quotas, input, { defaultTimeZone: config.timeZone, now: clock.now, mode: 'upsert' }),
    close: async () => {
      await client.close();
      await runtime.close();
      await ledger?.cleanup();
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A complete successful row taking 100 ms; every field can be overridden. */
export function row(overrides: Partial<CallRecord> = {}): CallRecord {
  return callRecord({ duration_ms: 100, ...overrides });
}

export interface WebhookReceiver {
  url: string;
  bodies: unknown[];
  /** Answers each request with the next status (default 200); 'hang' never answers. */
  replies: (number | 'hang')[];
  /** Resolves once `n` requests have arrived. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for Slack. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: unknown[] = [];
  const replies: (number | 'hang')[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      for (const w of waiters.filter((w) => bodies.length >= w.n)) w.resolve();
      const reply = replies.shift() ?? 200;
      if (reply === 'hang') return;
      res.writeHead(reply, { 'content-type': 'text/plain' }).end(reply === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/secret`,
    bodies,
    replies,
    received: (n) => (bodies.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once to find it free, then closed. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

/** Polls until `check` passes (for work that finishes after the call returned, like webhook delivery). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
