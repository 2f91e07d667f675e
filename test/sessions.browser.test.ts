import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { allCalls, seedCalls } from './helpers/ledger.js';
import { linkedClient } from './helpers/sessions.js';
import { HAS_CHROMIUM, launchChromium, requireChromium } from './helpers/browser.js';
import { startTestSidecar } from './helpers/sidecar.js';

requireChromium('sessions browser test');

/** Written straight to the ledger (callers' ids are checked before they get there): still only text on the page. */
const HOSTILE_SESSION = '<img src=x onerror="document.body.dataset.pwned=1">';
const SCREENSHOT = path.resolve('test-output/sessions.png');

describe.skipIf(!HAS_CHROMIUM)('Sessions view in the dashboard', () => {
  let h: Harness;
  let sidecar: RunningSidecar;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    h = await startHarness({ clientName: 'Cursor' });
    const cherry = await linkedClient(h.runtime, 'Cherry Studio');
    for (const prompt of ['a', 'b', 'c'])
      await cherry.call('chat', { prompt: `${prompt} `.repeat(400), max_tokens: 400 });
    await h.call('chat', { prompt: 'short' });
    await seedCalls(h.runtime.store, [{ ts: Date.now() - 60_000, session: HOSTILE_SESSION, cost_nano_usd: 1000 }]);
    sidecar = await startTestSidecar({
      store: h.runtime.store,
      config: h.config,
      logger: h.runtime.logger,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sidecar?.close();
    await h?.close();
  });

  it('lists sessions most expensive first with their figures, and drills down into one session’s calls', async () => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(sidecar.url);
    await page.waitForSelector('body[data-loaded="true"]');
    const rows = page.locator('#sessions-table tbody tr');
    const view = await h.runtime.store.sessions.list({ from: 0, to: Date.now() + 1 }, 50);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-session')))).toEqual(
      view.map((s) => s.session),
    );
    const calls = await allCalls(h.runtime.store);
    const cherry = calls.find((c) => c.client === 'Cherry Studio')?.session ?? '';
    expect(view[0]).toMatchObject({ session: cherry, client: 'Cherry Studio', requests: 3 });
    const first = rows.first();
    expect(await first.locator('td').nth(1).textContent()).toBe('Cherry Studio');
    expect(await first.locator('td').nth(4).textContent()).toBe('3');
    expect(Number(await first.locator('td').nth(6).getAttribute('data-value'))).toBeCloseTo(
      view[0]?.cost_usd ?? NaN,
      9,
    );
    // The hostile id is shown as text: no element made of it, nothing run.
    expect(await page.locator('#sessions-table img').count()).toBe(0);
    expect(await page.locator(`#sessions-table button:text-is(${JSON.stringify(HOSTILE_SESSION)})`).count()).toBe(1);
    expect(await page.getAttribute('body', 'data-pwned')).toBeNull();

    expect(await page.isVisible('#session-filter')).toBe(false);
    await first.locator('button.session-id').click();
    await page.waitForSelector('#session-filter:not([hidden])');
    expect(await page.textContent('#session-filter-id')).toBe(cherry);
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBe(3);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.click('#session-filter-clear');
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBe(calls.length);
    expect(await page.isVisible('#session-filter')).toBe(false);
    expect(problems).toEqual([]);
  });
});
