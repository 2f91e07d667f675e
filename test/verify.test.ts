import path from 'node:path';
import { expect, it } from 'vitest';
import { runVerifyCommand } from '../src/commands/verify.js';
import { loadConfig } from '../src/config.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { allCalls } from './helpers/ledger.js';
import { silentLogger } from '../src/log.js';
import { TEST_KEY, useTestUpstream } from './helpers/harness.js';

const shared = useTestUpstream();

const verify = async (key: string | undefined) => {
  const config = loadConfig({
    ...(key ? { COMETAPI_KEY: key } : {}),
    COMETAPI_BASE_URL: shared.sim.baseUrl,
    COMETAPI_MCP_DB: path.join(shared.dir, 'l.db'),
    COMETAPI_MCP_DATA_DIR: shared.dir,
  });
  let out = '';
  const ok = await runVerifyCommand(config, silentLogger, (t) => (out += t));
  return { ok, out };
};

it('reports a working key with the model, latency and tokens, and records the call', async () => {
  const { ok, out } = await verify(TEST_KEY);
  expect(ok).toBe(true);
  expect(out).toMatch(/^OK: key accepted by 127\.0\.0\.1:\d+, model gpt-4o-mini answered in \d+ ms/);
  const ledger = openSqliteStore({ file: path.join(shared.dir, 'l.db') });
  expect((await allCalls(ledger)).at(-1)).toMatchObject({
    tool: 'verify',
    client: 'cometapi-mcp verify',
    status: 'ok',
  });
  await ledger.close();
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
