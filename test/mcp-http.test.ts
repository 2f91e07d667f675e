import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  type CallToolResult,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

/** /mcp over a real port with the SDK's own Streamable HTTP client. */
describe('MCP over Streamable HTTP', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ gateway: { mcp: { maxSessions: 3 } } });
  });
  afterAll(async () => h.close());

  async function connect(name: string) {
    const client = new Client({ name, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`));
    const logs: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    await client.connect(transport);
    return { client, transport, logs };
  }

  it('serves the same tools as stdio and records calls as mcp-http under the client name', async () => {
    const { client, transport, logs } = await connect('http-test-client');
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining(['chat', 'generate_image', 'create_embeddings', 'list_models', 'get_usage']),
    );
    await client.setLoggingLevel('info');
    const result = (await client.callTool({
      name: 'chat',
      arguments: { prompt: 'Hello over HTTP' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const row = (await allCalls(h.runtime.store)).at(-1);
    expect(row).toMatchObject({ source: 'mcp-http', client: 'http-test-client', tool: 'chat', status: 'ok' });
    // the per-call log message arrives on the same session
    await expect
      .poll(() => logs.find((l) => l.logger === 'cometapi-mcp'))
      .toMatchObject({ level: 'info', data: { call_id: row?.id, status: 'ok' } });
    await client.close();
  });

  it('drops info messages once the client sets the level to warning', async () => {
    const { client, logs } = await connect('quiet-client');
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'chat', arguments: { prompt: 'hi' } });
    h.sim.enqueueFault({ kind: 'status', status: 400, message: 'bad thing (simulated)' });
    await client.callTool({ name: 'chat', arguments: { prompt: 'hi' } });
    await expect.poll(() => logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => l.level === 'warning')).toBe(true);
    await client.close();
  });

  it('offers resources, prompts and completions', async () => {
    const { client } = await connect('resource-client');
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['cometapi://usage/today', 'cometapi://models', 'cometapi://quotas']));
    const today = await client.readResource({ uri: 'cometapi://usage/today' });
    const first = today.contents[0];
    expect(first?.mimeType).toBe('application/json');
    const usage: unknown = JSON.parse(first && 'text' in first ? first.text : '{}');
    expect(usage).toMatchObject({ period: 'today', total: { requests: expect.any(Number) } });
    const model = await client.readResource({ uri: 'cometapi://models/gpt-4o-mini' });
    expect(JSON.stringify(model.contents)).toContain('gpt-4o-mini');

    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['summarize_sentiment_illustrate', 'review_usage']));
    const prompt = await client.getPrompt({
      name: 'summarize_sentiment_illustrate',
      arguments: { text: 'The tide came in.', style: 'ink sketch' },
    });
    expect(JSON.stringify(prompt.messages)).toContain('ink sketch');
    const models = await client.complete({
      ref: { type: 'ref/prompt', name: 'summarize_sentiment_illustrate' },
      argument: { name: 'image_model', value: 'gpt-im' },
    });
    expect(models.completion.values).toEqual(['gpt-image-1']);
    const periods = await client.complete({
      ref: { type: 'ref/resource', uri: 'cometapi://usage/{period}' },
      argument: { name: 'period', value: 'w' },
    });
    expect(periods.completion.values).toEqual(['week']);
    await client.close();
  });

  it('ends a session on DELETE; its id is then unknown (404)', async () => {
    const { client, transport } = await connect('short-lived');
    const id = transport.sessionId;
    await transport.terminateSession();
    const res = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': id ?? '',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(404);
    await client.close();
  });

  it('refuses requests without a session, and an unsupported MCP-Protocol-Version', async () => {
    const noSession = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(noSession.status).toBe(400);
    const { client, transport } = await connect('version-check');
    const res = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId ?? '',
        'mcp-protocol-version': '1999-01-01',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('protocol version');
    await client.close();
  });

  it('keeps at most maxSessions open, closing the least recently used', async () => {
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await connect(`many-${i}`));
    // the oldest sessions were closed to make room; the newest still answer
    await expect(clients[4]?.client.ping()).resolves.toEqual({});
    const gone = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': clients[0]?.transport.sessionId ?? '',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(gone.status).toBe(404);
    for (const c of clients) await c.client.close();
  });
});
