import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls } from './helpers/ledger.js';
import { capEverySession, sessionsFromRows } from './helpers/sessions.js';

const CHAT = 'gpt-4o-mini';
const CLAUDE = 'claude-sonnet-4-5-20250929';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Streamable HTTP sessions and proxy callers' session headers, through the real sidecar on a port. */
describe.each(ledgerEngines('sessions through the sidecar'))('sessions through the sidecar ($name)', (engine) => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({
      engine,
      env: { COMETAPI_MCP_LOOP_WARN_AT: '2', COMETAPI_MCP_LOOP_REFUSE_AFTER: '3' },
    });
  });
  afterAll(async () => h.close());

  const since = async () => (await allCalls(h.runtime.store)).length;
  const rowsSince = async (n: number) => (await allCalls(h.runtime.store)).slice(n);
  const openai = (headers: Record<string, string>) => h.openai({ headers });
  const anthropic = (headers: Record<string, string>) =>
    new Anthropic({ apiKey: 'anything', baseURL: h.url, maxRetries: 0, defaultHeaders: headers });
  const ask = (client: OpenAI, content: string) =>
    client.chat.completions.create({ model: CHAT, messages: [{ role: 'user', content }] });

  it('records each of two concurrent Streamable HTTP sessions under its own session id', async () => {
    const before = await since();
    const connect = async (name: string) => {
      const client = new Client({ name, version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`));
      await client.connect(transport);
      return { client, transport };
    };
    const [a, b] = await Promise.all([connect('http-a'), connect('http-b')]);
    const call = (c: Client, prompt: string) =>
      c.callTool({ name: 'chat', arguments: { prompt } }) as Promise<CallToolResult>;
    await Promise.all([call(a.client, 'a1'), call(b.client, 'b1'), call(a.client, 'a2'), call(b.client, 'b2')]);
    const rows = await rowsSince(before);
    expect(rows).toHaveLength(4);
    for (const row of rows)
      expect(row.session).toBe(row.client === 'http-a' ? a.transport.sessionId : b.transport.sessionId);
    expect(new Set(rows.map((r) => r.session)).size).toBe(2);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('takes the proxy caller’s session from each header the agents send, and ignores ids that fail the check', async () => {
    const before = await since();
    await ask(openai({ 'session-id': 'codex-5f1e', 'thread-id': 'thread-9', originator: 'codex_exec' }), 'codex');
    await ask(openai({ 'thread-id': 'thread-only-7' }), 'thread');
    await openai({ 'X-Session-Id': 'my-app:run.42' }).responses.create({ model: CHAT, input: 'responses' });
    await ask(openai({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }), 'trace');
    await anthropic({ 'x-claude-code-session-id': 'cc-0a1b2c' }).messages.create({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'claude' }],
    });
    await ask(openai({ 'x-session-id': '<img src=x onerror=alert(1)>' }), 'markup');
    await ask(openai({ 'x-session-id': 'x'.repeat(129) }), 'too long');
    await ask(openai({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }), 'zero trace');
    await ask(openai({}), 'none');
    const sessions = (await rowsSince(before)).map((r) => r.session);
    expect(sessions).toEqual([
      'codex-5f1e',
      'thread-only-7',
      'my-app:run.42',
      TRACE,
      'cc-0a1b2c',
      null,
      null,
      null,
      null,
    ]);
  });

  it('a --scope session hard quota refuses only the session that reached it, in each API’s own error shape', async () => {
    await capEverySession(h.runtime.store, 'proxy-session', 1);
    const first = await since();
    const a = openai({ 'session-id': 'budget-a' });
    await ask(a, 'a1');
    const refused = await ask(a, 'a2').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const openAiError = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(openAiError.code).toBe('insufficient_quota');
    expect(openAiError.message).toContain("quota 'proxy-session' (session=budget-a) reached: 1 requests of 1");
    expect(openAiError.message).toContain('quota set --name proxy-session --limit 2');

    const b = anthropic({ 'x-claude-code-session-id': 'budget-b' });
    const message = { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user' as const, content: 'b' }] };
    await b.messages.create(message);
    const refusedB = await b.messages.create(message).catch((e: unknown) => e);
    expect(refusedB).toBeInstanceOf(Anthropic.RateLimitError);
    const anthropicError = refusedB as InstanceType<typeof Anthropic.RateLimitError>;
    expect(anthropicError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(anthropicError.message).toContain('(session=budget-b)');
    // A third session goes on.
    await ask(openai({ 'x-session-id': 'budget-c' }), 'c1');
    const rows = await rowsSince(first);
    expect(rows.map((r) => `${r.session}:${r.status}`)).toEqual([
      'budget-a:ok',
      'budget-a:blocked',
      'budget-b:ok',
      'budget-b:blocked',
      'budget-c:ok',
    ]);
    const view = await h.runtime.store.sessions.list({ from: 0, to: Date.now() + 1 }, 100);
    const expected = sessionsFromRows(await allCalls(h.runtime.store));
    expect(view).toHaveLength(expected.size);
    for (const s of view) expect(s.requests).toBe(expected.get(s.session)?.requests);
    expect(view.find((s) => s.session === 'budget-a')).toMatchObject({ requests: 2, blocked: 1 });
    await h.runtime.store.quotas.remove('proxy-session');
  });

  it('the proxy’s loop guard refuses an identical body past the limit in one session, in OpenAI’s shape', async () => {
    const before = await since();
    const looping = openai({ 'session-id': 'looping-agent' });
    for (let i = 0; i < 3; i++) await ask(looping, 'the same request');
    const refused = await ask(looping, 'the same request').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('loop_guard');
    // Another session sending the same body, and a changed body in the first, go on.
    await ask(openai({ 'session-id': 'other-agent' }), 'the same request');
    await ask(looping, 'a different request');
    const rows = await rowsSince(before);
    expect(rows.map((r) => `${r.session}:${r.status}:${r.error_type ?? ''}`)).toEqual([
      'looping-agent:ok:',
      'looping-agent:ok:',
      'looping-agent:ok:',
      'looping-agent:blocked:loop_guard',
      'other-agent:ok:',
      'looping-agent:ok:',
    ]);
  });
});
