import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/mcp/server.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import type { RunningSimulatedUpstream } from '../src/upstream/simulated.js';
import { TEST_KEY, startTestUpstream, tempDir } from './helpers/harness.js';
import { HAS_CHROMIUM, launchChromium, requireChromium } from './helpers/browser.js';
import { startTestSidecar } from './helpers/sidecar.js';

requireChromium('quota browser test');

/** A client name with markup: the page must show it as text, never as HTML. */
const HOSTILE_CLIENT = '<img src=x onerror="document.body.dataset.pwned=1">Cherry';

let sim: RunningSimulatedUpstream;
let runtime: Runtime;
let sidecar: RunningSidecar;
let browser: Browser;
let page: Page;
let dir: string;
let client: Client;

describe.skipIf(!HAS_CHROMIUM)('quota panel in the dashboard', () => {
  beforeAll(async () => {
    sim = await startTestUpstream();
    dir = tempDir('cometapi-mcp-quota-browser-');
    const config = loadConfig({
      COMETAPI_KEY: TEST_KEY,
      COMETAPI_BASE_URL: sim.baseUrl,
      COMETAPI_MCP_DATA_DIR: dir,
      COMETAPI_MCP_DB: path.join(dir, 'ledger.db'),
      COMETAPI_MCP_TZ: 'America/New_York',
    });
    runtime = await createRuntime({ config, logger: createLogger({ level: 'silent' }) });
    sidecar = await startTestSidecar({
      store: runtime.store,
      config,
      logger: runtime.logger,
      eventsPollMs: 100,
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: HOSTILE_CLIENT, version: '1.0.0' });
    await Promise.all([createServer(runtime.serverDeps('mcp-stdio')).connect(serverSide), client.connect(clientSide)]);
    browser = await launchChromium();
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await sidecar?.close();
    runtime?.close();
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a quota from the form, shows its bar, refuses bad input, and shows a fired alert', async () => {
    // Uncaught errors and console errors (CSP violations land there too).
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(message.text())));
    await page.goto(sidecar.url);
    await page.waitForSelector('#panel-quotas .quota-form', { state: 'attached' });
    expect(await page.textContent('#panel-quotas .quota-list-slot')).toContain('No quotas yet');

    // Bad input: the API's message is shown, nothing is created.
    await page.click('#panel-quotas summary');
    await page.fill('#quota-form [name=name]', 'client-requests');
    await page.selectOption('#quota-form [name=metric]', 'requests');
    await page.fill('#quota-form [name=limit]', '-2');
    await page.click('#quota-form button[type=submit]');
    await page.waitForSelector('#quota-form .quota-error:not([hidden])');
    expect(await page.textContent('#quota-form .quota-error')).toContain('limit: must be greater than 0');
    expect(await runtime.store.quotas.list()).toEqual([]);

    // A soft quota of 2 requests a day for the hostile client's calls.
    await page.fill('#quota-form [name=limit]', '2');
    await page.selectOption('#quota-form [name=scope_kind]', 'client');
    await page.fill('#quota-form [name=scope_value]', HOSTILE_CLIENT);
    await page.click('#quota-form button[type=submit]');
    const row = page.locator('li[data-quota="client-requests"]');
    await row.waitFor();
    expect(await row.locator('.quota-used').textContent()).toBe('0 requests of 2 requests (0%)');
    expect(await row.locator('.quota-scope').textContent()).toBe(`client=${HOSTILE_CLIENT}`);
    expect(await row.locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('0');
    expect(await runtime.store.quotas.get('client-requests')).toMatchObject({
      scope: 'client',
      scope_value: HOSTILE_CLIENT,
      limit_amount: 2,
      hard: false,
      time_zone: 'America/New_York',
    });

    // Two calls from that client reach 50 % and then 100 %: the page follows live.
    for (const prompt of ['one', 'two']) await client.callTool({ name: 'chat', arguments: { prompt, max_tokens: 10 } });
    await page.waitForSelector('li[data-quota="client-requests"][data-percent="100"]', { timeout: 10_000 });
    expect(await row.locator('.quota-used').textContent()).toBe('2 requests of 2 requests (100%)');
    expect(await row.locator('.quota-bar').getAttribute('class')).toContain('over');
    expect(await row.locator('.quota-fill').evaluate((node) => (node as HTMLElement).style.width)).toBe('100%');

    const banner = page.locator('#quota-alert-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toContain(
      "quota 'client-requests' (client=" +
        HOSTILE_CLIENT +
        ') passed 100%: 2 requests of 2 requests used today (America/New_York)',
    );
    const history = page.locator('#alert-history tbody tr');
    // Default thresholds 50/80/100: the second call crossed both 80 and 100. Newest first.
    expect(await history.locator('td:nth-child(3)').allTextContents()).toEqual(['100%', '80%', '50%']);

    // Ledger text stayed text: no element was created from the client name.
    expect(await page.locator('#panel-quotas img, #quota-alert-banner img').count()).toBe(0);
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();

    // Dismissing hides the banner; removing the quota empties the list.
    await banner.locator('button').click();
    await banner.waitFor({ state: 'hidden' });
    await row.locator('button.danger').click();
    await page.waitForSelector('#panel-quotas .quota-list-slot >> text=No quotas yet');
    expect(await runtime.store.quotas.list()).toEqual([]);
    // Only the refused bad input, which the browser logs as a failed request; no script or CSP errors.
    expect(pageErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 60_000);
});
