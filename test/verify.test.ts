import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVerifyCommand } from '../src/commands/verify.js';
import { loadConfig } from '../src/config.js';
import { openLedger } from '../src/ledger/open.js';
import { silentLogger } from '../src/log.js';
import { startSimulatedUpstream, type RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { TEST_KEY, tempDir } from './helpers/harness.js';

let sim: RunningSimulatedUpstream;
let dir: string;
beforeAll(async () => {
  sim = await startSimulatedUpstream({ apiKey: TEST_KEY, latencyMs: 0, tokensPerSecond: 0 });
  dir = tempDir();
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const verify = async (key: string | undefined) => {
  const config = loadConfig({ ...(key ? { COMETAPI_KEY: key } : {}), COMETAPI_BASE_URL: sim.baseUrl, COMETAPI_MCP_DB: path.join(dir, 'l.db'), COMETAPI_MCP_DATA_DIR: dir });
  let out = '';
  const ok = await runVerifyCommand(config, silentLogger, (t) => (out += t));
  return { ok, out };
};

it('reports a working key with the model, latency and tokens, and records the call', async () => {
  const { ok, out } = await verify(TEST_KEY);
  expect(ok).toBe(true);
  expect(out).toMatch(/^OK: key accepted by 127\.0\.0\.1:\d+, model gpt-4o-mini answered in \d+ ms/);
  const ledger = openLedger(path.join(dir, 'l.db'));
  expect(ledger.calls.all().at(-1)).toMatchObject({ tool: 'verify', client: 'cometapi-mcp verify', status: 'ok' });
  ledger.close();
});

it('explains a rejected key without printing it, and a missing one', async () => {
  const wrong = 'sk-wrong-1234567890abcdef';
  const { ok, out } = await verify(wrong);
  expect(ok).toBe(false);
  expect(out).toContain('rejected the API key');
  expect(out).not.toContain(wrong);
  const missing = await verify(undefined);
  expect(missing.ok).toBe(false);
  expect(missing.out).toContain('COMETAPI_KEY is not set');
});
