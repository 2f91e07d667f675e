import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../src/commands/verify.js';
import { loadConfig } from '../src/config.js';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import { allCalls } from './helpers/ledger.js';
import { silentLogger } from '../src/log.js';
import { BUILT_CLI, TEST_KEY, useTestUpstream } from './helpers/harness.js';

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

describe('verify in the language of LC_ALL / LANG (the built CLI)', () => {
  /** A bare environment, as a shell would have, plus the locale variables under test. */
  const run = async (locale: Record<string, string>, key: string | undefined) => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: shared.dir,
      COMETAPI_BASE_URL: shared.sim.baseUrl,
      COMETAPI_MCP_DB: path.join(shared.dir, 'cli.db'),
      COMETAPI_MCP_DATA_DIR: shared.dir,
      ...(key ? { COMETAPI_KEY: key } : {}),
      ...locale,
    };
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [BUILT_CLI, 'verify'], { env });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  };

  it('reports success in German under LANG=de_DE.UTF-8, with German number formats', async () => {
    const { code, stdout } = await run({ LANG: 'de_DE.UTF-8' }, TEST_KEY);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^OK: Schlüssel von 127\.0\.0\.1:\d+ akzeptiert, Modell gpt-4o-mini hat in [\d.]+ ms geantwortet \(erstes Token nach \d+ ms, [\d.]+ Tokens, Wiederholungen: 0\)\.\nIm SQLite-Ledger \S+cli\.db erfasst\.\n$/,
    );
  });

  it('says the key is missing in Chinese under LANG=zh_CN.UTF-8, and exits 1', async () => {
    const { code, stdout } = await run({ LANG: 'zh_CN.UTF-8' }, undefined);
    expect(code).toBe(1);
    expect(stdout).toBe(
      '未设置 COMETAPI_KEY。请先导出它（export COMETAPI_KEY=sk-...），或写入 MCP 客户端的配置，然后再次运行 verify。\n',
    );
  });

  it('labels a failure in Spanish when LC_ALL says so over LANG, keeping the English reason', async () => {
    const wrong = 'sk-wrong-1234567890abcdef';
    const { code, stdout } = await run({ LANG: 'de_DE.UTF-8', LC_ALL: 'es_ES.UTF-8' }, wrong);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ERROR: .*rejected the API key/);
    expect(stdout).not.toContain(wrong);
  });

  it('stays English for a language without a catalog', async () => {
    const { stdout } = await run({ LANG: 'fr_FR.UTF-8' }, TEST_KEY);
    expect(stdout).toMatch(/^OK: key accepted by 127\.0\.0\.1:\d+, model gpt-4o-mini answered in/);
  });
});
