import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { runQuotaCommand } from '../src/commands/quota.js';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { LedgerStore } from '../src/ledger/store.js';
import { createLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { createQuotaRoutes } from '../src/sidecar/routes/quotas.js';
import { tempDir } from './helpers/harness.js';
import { row } from './helpers/quota-harness.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const NOW = Date.parse('2025-06-01T12:00:00Z');

let dir: string;
let config: Config;
let ledger: LedgerStore;
let raw: Database.Database;
beforeEach(async () => {
  dir = tempDir('cometapi-mcp-quota-input-');
  config = loadConfig({
    COMETAPI_MCP_DATA_DIR: dir,
    COMETAPI_MCP_DB: path.join(dir, 'ledger.db'),
    COMETAPI_MCP_TZ: 'Europe/Berlin',
  });
  ledger = openSqliteStore({ file: config.dbPath });
  raw = new Database(config.dbPath, { readonly: true });
});
afterEach(async () => {
  raw.close();
  await ledger.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The quotas table as stored, compared before and after refused input. */
const stored = () => raw.prepare('SELECT * FROM quotas ORDER BY name').all();

async function cli(args: string[]): Promise<string> {
  let out = '';
  await runQuotaCommand(args, config, (text) => (out += text), NOW);
  return out;
}

async function cliError(args: string[]): Promise<string> {
  try {
    await cli(args);
  } catch (error) {
    if (error instanceof Error) return error.message;
  }
  throw new Error(`expected quota ${args.join(' ')} to fail`);
}

const BAD_INPUTS: { what: string; args: string[]; json: Record<string, unknown>; says: RegExp }[] = [
  {
    what: 'a negative limit',
    args: ['--limit=-5'],
    json: { limit: -5 },
    says: /limit: must be greater than 0, e\.g\. 5/,
  },
  {
    what: 'an unknown metric',
    args: ['--metric', 'dollars'],
    json: { metric: 'dollars' },
    says: /metric: must be one of tokens, cost, requests, images \(cost is in USD\); got "dollars"/,
  },
  {
    what: 'a bad zone',
    args: ['--tz', 'Mars/Olympus_Mons'],
    json: { time_zone: 'Mars/Olympus_Mons' },
    says: /(--tz|time_zone): must be an IANA time zone such as America\/New_York/,
  },
  {
    what: 'a bad scope',
    args: ['--scope', 'team=red'],
    json: { scope: 'team=red' },
    says: /scope: must be global or one of session \(a limit for each session separately\), model=…, tool=…, client=…, provider=… \(e\.g\. model=gpt-4o\); got "team=red"/,
  },
  {
    what: 'a scope with no value',
    args: ['--scope', 'model='],
    json: { scope: 'model=' },
    says: /scope: must be global or one of/,
  },
  {
    what: 'a fractional token limit',
    args: ['--metric', 'tokens', '--limit', '10.5'],
    json: { metric: 'tokens', limit: 10.5 },
    says: /limit: must be a whole number of tokens/,
  },
  {
    what: 'bad thresholds',
    args: ['--thresholds', '50,abc'],
    json: { thresholds: [50, 'abc'] },
    says: /thresholds: each threshold must be a number of percent/,
  },
];

const GOOD = { name: 'daily-cost', metric: 'cost', period: 'day', limit: 5 };
const goodArgs = ['--name', 'daily-cost', '--metric', 'cost', '--period', 'day', '--limit', '5'];

describe('quota CLI', async () => {
  it('sets, lists and removes a quota with the configured zone and default thresholds', async () => {
    await ledger.calls.record(row({ ts: NOW - 1000, cost_nano_usd: 1_250_000_000 }));
    const out = await cli(['set', ...goodArgs, '--hard']);
    expect(out).toContain("quota 'daily-cost' saved: cost up to $5.00 per day (Europe/Berlin) for all calls, hard");
    expect(out).toContain('alerts at 50/80/100%');
    expect(await cli(['list'])).toMatch(/daily-cost\s+global\s+cost\s+day\s+\$1\.25\s+\$5\.00\s+25\.0%/);
    // Only the limit changes; the rest is kept.
    await cli(['set', '--name', 'daily-cost', '--limit', '10']);
    const [json] = JSON.parse(await cli(['list', '--json'])) as Record<string, unknown>[];
    expect(json).toMatchObject({
      name: 'daily-cost',
      limit: 10,
      used: 1.25,
      percent: 12.5,
      hard: true,
      time_zone: 'Europe/Berlin',
      thresholds: [50, 80, 100],
    });
    expect(await cli(['rm', 'daily-cost'])).toBe("quota 'daily-cost' removed\n");
    expect(stored()).toEqual([]);
  });

  it.each(BAD_INPUTS)('refuses $what, says what to do, and writes nothing', async ({ args, says }) => {
    await cli(['set', ...goodArgs, '--thresholds', '50,90']);
    const before = stored();
    const message = await cliError(['set', ...goodArgs, ...args]);
    expect(message).toMatch(says);
    expect(message).toContain('nothing was saved');
    expect(message).toContain('Usage: cometapi-mcp quota set');
    expect(stored()).toEqual(before);
    expect(
      await cliError(['set', '--name', 'fresh', '--metric', 'cost', '--period', 'day', '--limit', '5', ...args]),
    ).toMatch(says);
    expect(stored()).toEqual(before);
  });

  it('names every missing field of a new quota, and unknown quotas on rm', async () => {
    expect(await cliError(['set', '--name', 'x'])).toMatch(
      /--metric: is required for a new quota[\s\S]*--period: is required[\s\S]*--limit: is required/,
    );
    expect(await cliError(['rm', 'nope'])).toBe("there is no quota named 'nope' (there are no quotas yet)");
    expect(await cliError(['frobnicate'])).toMatch(/^quota needs one of set, list or rm \(got "frobnicate"\)/);
    expect(stored()).toEqual([]);
  });

  it('as a process: exit code 2, the message on stderr, nothing written', async () => {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      COMETAPI_MCP_DB: config.dbPath,
      COMETAPI_MCP_TZ: 'UTC',
    };
    const bad = spawnSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'quota', 'set', ...goodArgs, '--scope', 'team=red'],
      { env, encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      'cometapi-mcp: invalid quota, nothing was saved:\n  --scope: must be global or one of',
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stored()).toEqual([]);
    const good = spawnSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'quota', 'set', ...goodArgs, '--scope', 'client=Cherry Studio'],
      { env, encoding: 'utf8' },
    );
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(await ledger.quotas.get('daily-cost')).toMatchObject({
      scope: 'client',
      scope_value: 'Cherry Studio',
      time_zone: 'UTC',
      limit_amount: 5_000_000_000,
    });
  });
});

describe('quota API', () => {
  const app = () => new Hono().route('/api', createQuotaRoutes({ store: ledger, config, clock: () => NOW }));
  const send = (method: string, url: string, body?: unknown) =>
    app().request(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('creates, reads, changes and deletes quotas', async () => {
    const created = await send('POST', '/api/quotas', { ...GOOD, scope: 'model=gpt-4o', hard: true });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'daily-cost',
      scope: 'model=gpt-4o',
      limit: 5,
      used: 0,
      time_zone: 'Europe/Berlin',
      resets_at: '2025-06-01T22:00:00.000Z',
    });
    expect((await send('POST', '/api/quotas', GOOD)).status).toBe(409);
    const changed = await send('PUT', '/api/quotas/daily-cost', { limit: 7.5, thresholds: [90] });
    expect(await changed.json()).toMatchObject({ limit: 7.5, thresholds: [90], scope: 'model=gpt-4o', hard: true });
    const list = (await (await send('GET', '/api/quotas')).json()) as { quotas: { name: string }[] };
    expect(list.quotas.map((q) => q.name)).toEqual(['daily-cost']);
    expect((await send('DELETE', '/api/quotas/daily-cost')).status).toBe(200);
    expect((await send('DELETE', '/api/quotas/daily-cost')).status).toBe(404);
    expect(stored()).toEqual([]);
  });

  it.each(BAD_INPUTS)(
    'answers 400 for $what with the field and what to do, writing nothing',
    async ({ json, says }) => {
      await send('POST', '/api/quotas', { ...GOOD, name: 'keep' });
      const before = stored();
      for (const [method, url] of [
        ['POST', '/api/quotas'],
        ['PUT', '/api/quotas/keep'],
      ] as const) {
        const response = await send(method, url, { ...GOOD, name: method === 'POST' ? 'new-one' : 'keep', ...json });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error: string; issues: { field: string; message: string }[] };
        expect(body.issues.map((i) => `${i.field}: ${i.message}`).join('\n')).toMatch(says);
        expect(body.error).toMatch(/^invalid quota: /);
      }
      expect(stored()).toEqual(before);
    },
  );

  it('refuses malformed bodies, unknown fields and renames clearly', async () => {
    const notJson = await send('POST', '/api/quotas', '{"name": ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/the body must be JSON/);
    const array = await send('POST', '/api/quotas', [GOOD]);
    expect(((await array.json()) as { error: string }).error).toMatch(
      /send a JSON object such as \{"name": "daily-cost"/,
    );
    const extra = await send('POST', '/api/quotas', { ...GOOD, colour: 'red' });
    expect(((await extra.json()) as { error: string }).error).toMatch(
      /unknown field\(s\) colour; known fields are name, scope/,
    );
    await send('POST', '/api/quotas', GOOD);
    const rename = await send('PUT', '/api/quotas/daily-cost', { name: 'other' });
    expect(rename.status).toBe(400);
    expect(((await rename.json()) as { error: string }).error).toMatch(/quotas cannot be renamed/);
    expect(stored()).toHaveLength(1);
    expect((await send('GET', '/api/alerts?limit=0')).status).toBe(400);
  });
});

describe('quota API in the sidecar app', () => {
  const sidecar = (token?: string) =>
    createApp({
      store: ledger,
      config: { ...config, token },
      logger: createLogger({ level: 'silent' }),
      mode: 'live',
      clock: () => NOW,
    });
  const post = (app: ReturnType<typeof sidecar>, headers: Record<string, string>) =>
    app.request('http://127.0.0.1:8790/api/quotas', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(GOOD),
    });

  it('is mounted behind the sidecar checks: another site cannot create quotas, the page itself can', async () => {
    const app = sidecar();
    const foreign = await post(app, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(stored()).toEqual([]);
    expect((await post(app, { origin: 'http://127.0.0.1:8790' })).status).toBe(201);
    const alerts = await app.request('http://127.0.0.1:8790/api/alerts');
    expect(await alerts.json()).toEqual({ alerts: [] });
  });

  it('needs the token when one is configured', async () => {
    const app = sidecar('a-token-of-at-least-16-chars');
    expect((await post(app, {})).status).toBe(401);
    expect(stored()).toEqual([]);
    expect((await post(app, { authorization: 'Bearer a-token-of-at-least-16-chars' })).status).toBe(201);
  });
});
