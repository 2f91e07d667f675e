import { afterAll, beforeAll, expect, it } from 'vitest';
import { runAgentTraffic } from '../src/demo/agent-traffic.js';
import { seededRandom } from '../src/random.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const TOKEN = 'local-token-demo-agents-0123456789';
let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({ env: { COMETAPI_MCP_TOKEN: TOKEN } });
});
afterAll(async () => h.close());

it('demo agent traffic reaches the proxy as Claude Code and Codex, with cache reads after the first call', async () => {
  const made = await runAgentTraffic({
    baseUrl: h.url,
    token: TOKEN,
    random: seededRandom(3),
    rounds: 3,
    minPauseMs: 0,
    maxPauseMs: 0,
    signal: new AbortController().signal,
  });
  expect(made).toBe(6);
  const rows = await allCalls(h.runtime.store);
  expect(rows).toHaveLength(6);
  expect(rows.every((r) => r.status === 'ok' && r.source === 'proxy' && r.cost_nano_usd !== null)).toBe(true);
  const claude = rows.filter((r) => r.client === 'Claude Code');
  const codex = rows.filter((r) => r.client === 'Codex');
  expect(claude.map((r) => r.tool)).toEqual(['/v1/messages', '/v1/messages', '/v1/messages']);
  expect(codex.map((r) => r.tool)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
  expect(claude[0]?.cache_write_tokens).toBeGreaterThan(0);
  // Each agent sends its session id; Codex moved on to a second session in round two.
  expect(new Set(claude.map((r) => r.session)).size).toBe(1);
  expect(new Set(codex.map((r) => r.session)).size).toBe(2);
  expect(rows.every((r) => r.session !== null)).toBe(true);
  // Three calls over two models: at least one model comes again and reads the cached system prompt.
  expect(claude.some((r) => r.cached_tokens > 0)).toBe(true);
  expect(codex.slice(1).every((r) => r.cached_tokens > 0)).toBe(true);
});
