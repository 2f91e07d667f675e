/**
 * The dashboard in headless Chromium against the real sidecar on 127.0.0.1:<free port>.
 * Structure: one harness (temp ledger + sidecar + browser page + request log) shared by the
 * tests below. To test another way calls arrive (e.g. an MCP tool call through a runtime on
 * harness.config), make the call and then `await expectCallRow(harness, text)`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Config } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import { startHarness } from './helpers/harness.js';
import { callRecord, ledgerConfig, seedCalls, tempLedger, type TempLedger, allCalls } from './helpers/ledger.js';
import { startTestSidecar } from './helpers/sidecar.js';
import { HAS_CHROMIUM, launchChromiumProfile, requireChromium } from './helpers/browser.js';

const SCREENSHOT = path.resolve('test-output/dashboard.png');
const XSS_MODEL = '<img src=x onerror=alert(1)>';
const MIN = 60_000;

requireChromium('dashboard browser tests');

interface DashboardHarness {
  temp: TempLedger;
  config: Config;
  sidecar: RunningSidecar;
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught page errors (CSP violations show up here). */
  problems: string[];
  dialogs: string[];
  close(): Promise<void>;
}

/** 41 calls in the last 24h (4 unpriced, 5 estimated, 1 rate-limited) and one older call. */
async function seedDemoCalls(temp: TempLedger, now: number): Promise<void> {
  await seedCalls(temp.store, [
    // Oldest first, as a real ledger is written.
    ...Array.from({ length: 40 }, (_, i) => 39 - i).map((i) => ({
      ts: now - (i + 1) * 30 * MIN,
      model_used: i % 3 === 0 ? 'claude-sonnet-4' : 'gpt-4o-mini',
      client: i % 4 === 0 ? 'Cursor' : 'Cherry Studio',
      prompt_tokens: 100 + i * 7,
      completion_tokens: 20 + i,
      cost_nano_usd: i % 10 === 9 ? null : 1000 + i * 13,
      duration_ms: 300 + i * 37,
      ttft_ms: i % 2 === 0 ? 120 + i : null,
      usage_estimated: i % 8 === 0,
    })),
    {
      ts: now - 90 * MIN,
      status: 'error',
      error_type: 'rate_limit',
      http_status: 429,
      error_message: 'Rate limit reached',
      model_used: null,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost_nano_usd: null,
      retries: 3,
    },
    { ts: now - 3 * 24 * 60 * MIN, prompt_tokens: 99_999 }, // outside the default 24h range
  ]);
}

/** The range each harness's page opened on, before the tests switch it to 24h. */
const opened: string[] = [];

interface HarnessOptions {
  /** false: start on an empty ledger. */
  seed?: boolean;
  mode?: 'demo' | 'live';
}

async function startDashboardHarness(options: HarnessOptions = {}): Promise<DashboardHarness> {
  const temp = tempLedger();
  if (options.seed !== false) await seedDemoCalls(temp, Date.now());
  const config = ledgerConfig(temp, { COMETAPI_MCP_TZ: 'Europe/Berlin' });
  const sidecar = await startTestSidecar({
    store: temp.store,
    config,
    logger: silentLogger,
    mode: options.mode ?? 'demo',
    eventsPollMs: 200,
  });
  const browser = await launchChromiumProfile({ width: 1366, height: 900 });
  const { context } = browser;
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
  await page.goto(sidecar.url);
  await page.waitForSelector('body[data-loaded="true"]');
  opened.push((await page.getAttribute('body', 'data-range')) ?? '');
  // The figures below are checked over a day; a demo opens on the last hour.
  if (opened.at(-1) !== '24h') {
    await page.click('.ranges button[data-range="24h"]');
    await page.waitForSelector('body[data-range="24h"]');
  }
  return {
    temp,
    config,
    sidecar,
    context,
    page,
    requests,
    problems,
    dialogs,
    close: async () => {
      await browser.close();
      await sidecar.close();
      temp.cleanup();
    },
  };
}

/** Waits until the recent-calls table shows a row containing text (no reload). */
async function expectCallRow(h: DashboardHarness, text: string) {
  await h.page.locator('#calls-table tbody tr', { hasText: text }).first().waitFor({ timeout: 5_000 });
}

const dataValue = (h: DashboardHarness, id: string) => h.page.getAttribute(`#${id}`, 'data-value');

describe.skipIf(!HAS_CHROMIUM)('dashboard in headless Chromium', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness();
  }, 60_000);
  afterAll(async () => h?.close());

  it('shows the demo banner and headline figures equal to the ledger', async () => {
    expect(await h.page.isVisible('#demo-banner')).toBe(true);
    expect(await h.page.textContent('#demo-banner')).toContain(
      'Demo mode — simulated upstream, no real API calls or costs',
    );
    expect(await h.page.isHidden('#empty-state')).toBe(true);
    const since = Date.now() - 24 * 60 * MIN + 60_000;
    const row = h.temp.sql
      .prepare<[number], { n: number; prompt: number; completion: number; cost: number; errors: number }>(
        "SELECT COUNT(*) AS n, SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion, SUM(cost_nano_usd) AS cost, SUM(status = 'error') AS errors FROM calls WHERE ts >= ?",
      )
      .get(since);
    expect(row?.n).toBe(41);
    expect(Number(await dataValue(h, 'stat-requests'))).toBe(row?.n);
    expect(Number(await dataValue(h, 'stat-prompt-tokens'))).toBe(row?.prompt);
    expect(Number(await dataValue(h, 'stat-completion-tokens'))).toBe(row?.completion);
    expect(Number(await dataValue(h, 'stat-cost'))).toBeCloseTo((row?.cost ?? 0) / 1e9, 9);
    expect(Number(await dataValue(h, 'stat-error-rate'))).toBeCloseTo((row?.errors ?? 0) / (row?.n ?? 1), 9);
    expect(Number(await dataValue(h, 'stat-unpriced'))).toBe(4);
    expect(Number(await dataValue(h, 'stat-estimated'))).toBe(5);
    expect(await h.page.textContent('#stat-unpriced')).toContain('4 unpriced');
    expect(await h.page.textContent('#errors-table')).toContain('rate-limited you');
    expect(await h.page.locator('#breakdown-model tbody tr').count()).toBe(2);
  });

  it('marks percentiles over 7 days (read from rollup histograms) with ≈, and exact 24h ones without', async () => {
    const latency = () => h.page.textContent('#stat-latency');
    await h.page.click('button[data-range="7d"]');
    await h.page.waitForFunction(() => document.querySelector('#stat-latency')?.textContent?.startsWith('≈'));
    expect(await h.page.getAttribute('#stat-latency', 'title')).toContain('approximate');
    expect(await h.page.locator('#breakdown-model tbody td', { hasText: '≈' }).count()).toBeGreaterThan(0);
    await h.page.click('button[data-range="24h"]');
    await h.page.waitForFunction(() => !document.querySelector('#stat-latency')?.textContent?.includes('≈'));
    expect(await latency()).not.toContain('≈');
    expect(await h.page.locator('#breakdown-model tbody td', { hasText: '≈' }).count()).toBe(0);
  });

  it('shows a call written by another process within about a second, without reloading', async () => {
    await h.page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const before = Number(await dataValue(h, 'stat-requests'));
    const id = await h.temp
      .openSecond()
      .calls.record(callRecord({ ts: Date.now(), model_used: 'live-model-7', client: 'Other Process' }));
    const started = Date.now();
    await h.page.waitForSelector(`#calls-table tr[data-id="${id}"]`, { timeout: 3_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expectCallRow(h, 'live-model-7');
    await h.page.waitForFunction(
      (n) => Number(document.getElementById('stat-requests')?.dataset.value) === n,
      before + 1,
      { timeout: 5_000 },
    );
    expect(await h.page.evaluate(() => 'notReloaded' in window)).toBe(true);
  });

  it('opens a demo on the last hour, where its fresh calls are spread out rather than a spike', () => {
    expect(opened[0]).toBe('1h');
  });

  it('shows an MCP tool call made by a real client through the metering path, without reloading', async () => {
    // A second process's stdio server, in effect: its own runtime on the same ledger file.
    const mcp = await startHarness({ clientName: 'Browser Test Client', env: { COMETAPI_MCP_DB: h.temp.file } });
    try {
      const result = await mcp.call('chat', { prompt: 'seen live on the dashboard', model: 'deepseek-v3' });
      expect(result.isError).toBeFalsy();
      const [row] = (await allCalls(mcp.runtime.store)).filter((r) => r.client === 'Browser Test Client');
      await h.page.waitForSelector(`#calls-table tr[data-id="${row?.id}"]`, { timeout: 3_000 });
      await expectCallRow(h, 'Browser Test Client');
    } finally {
      await mcp.close();
    }
  });

  it('renders untrusted ledger text as text, never as markup', async () => {
    const id = await h.temp
      .openSecond()
      .calls.record(callRecord({ ts: Date.now(), model_used: XSS_MODEL, client: XSS_MODEL, error_message: XSS_MODEL }));
    await h.page.waitForSelector(`#calls-table tr[data-id="${id}"]`);
    await h.page.waitForFunction(
      (name) =>
        Array.from(document.querySelectorAll('#breakdown-model td')).some((td) => td.textContent?.includes(name)),
      XSS_MODEL,
    );
    expect(await h.page.textContent(`#calls-table tr[data-id="${id}"] td.model`)).toBe(XSS_MODEL);
    expect(await h.page.locator('img').count()).toBe(0);
    expect(h.dialogs).toEqual([]);
  });

  it('stays within its own origin and raises no errors (including CSP violations)', async () => {
    expect(h.requests.length).toBeGreaterThan(5);
    const foreign = h.requests.filter((url) => !url.startsWith(`${h.sidecar.url}/`));
    expect(foreign).toEqual([]);
    expect(h.problems).toEqual([]);
  });

  it('works in a narrow window and saves a screenshot', async () => {
    await h.page.setViewportSize({ width: 400, height: 900 });
    await h.page.waitForTimeout(200);
    const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await h.page.setViewportSize({ width: 1366, height: 900 });
    await h.page.waitForTimeout(200);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await h.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});

describe.skipIf(!HAS_CHROMIUM)('dashboard on an empty ledger', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness({ seed: false, mode: 'live' });
  }, 60_000);
  afterAll(async () => h?.close());

  it('shows how to connect CherryStudio, no demo banner, then the figures once the first call lands', async () => {
    expect(opened.at(-1)).toBe('24h'); // live mode opens on the last day
    expect(await h.page.isHidden('#demo-banner')).toBe(true);
    expect(await h.page.isVisible('#empty-state')).toBe(true);
    const text = (await h.page.textContent('#empty-state')) ?? '';
    for (const part of [
      'Settings → MCP Servers → Add',
      'stdio',
      'setup --client cherry',
      'COMETAPI_KEY',
      '"longRunning": true',
      process.execPath,
    ])
      expect(text).toContain(part);
    expect(text).toMatch(/cli\.js"/);
    expect(await h.page.isHidden('#headline')).toBe(true);

    const id = await h.temp.openSecond().calls.record(callRecord({ ts: Date.now(), model_used: 'first-call-model' }));
    await h.page.waitForSelector(`#calls-table tr[data-id="${id}"]`);
    await h.page.waitForSelector('#empty-state', { state: 'hidden' });
    expect(await h.page.isVisible('#headline')).toBe(true);
    await h.page.waitForFunction(() => document.getElementById('stat-requests')?.dataset.value === '1');
    expect(h.problems).toEqual([]);
  });
});
