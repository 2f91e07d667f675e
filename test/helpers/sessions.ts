import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { usdFromNano } from '../../src/ledger/calls.js';
import type { CallRow, LedgerStore, SessionSummary } from '../../src/ledger/store.js';
import { createServer } from '../../src/mcp/server.js';
import { setQuota } from '../../src/quotas/manage.js';
import type { Runtime } from '../../src/runtime.js';

/** Another MCP connection to the same runtime, linked in memory: a session of its own. */
export async function linkedClient(runtime: Runtime, name: string) {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name, version: '1.0.0' });
  await Promise.all([
    createServer(runtime.serverDeps('mcp-stdio')).connect(serverTransport),
    client.connect(clientTransport),
  ]);
  return {
    client,
    call: async (tool: string, args: Record<string, unknown>) =>
      (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
  };
}

/** The sessions view as the ledger's rows add it up, to compare with what the store answers. */
export function sessionsFromRows(rows: readonly CallRow[]): Map<string, Omit<SessionSummary, 'session'>> {
  const sums = new Map<string, Omit<SessionSummary, 'session'>>();
  for (const row of rows) {
    if (row.session === null) continue;
    const s = sums.get(row.session) ?? {
      client: row.client,
      first_ts: row.ts,
      last_ts: row.ts,
      requests: 0,
      errors: 0,
      blocked: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      images: 0,
      cost_usd: 0,
    };
    s.first_ts = Math.min(s.first_ts, row.ts);
    s.last_ts = Math.max(s.last_ts, row.ts);
    s.requests += 1;
    s.errors += row.status === 'error' ? 1 : 0;
    s.blocked += row.status === 'blocked' ? 1 : 0;
    s.prompt_tokens += row.prompt_tokens;
    s.completion_tokens += row.completion_tokens;
    s.images += row.images;
    s.cost_usd += usdFromNano(row.cost_nano_usd ?? 0);
    sums.set(row.session, s);
  }
  return sums;
}

/** A hard quota of `limit` requests a day for every session separately. */
export function capEverySession(store: LedgerStore, name: string, limit: number) {
  return setQuota(
    store.quotas,
    { name, metric: 'requests', period: 'day', limit, hard: true, scope: 'session' },
    { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
  );
}
