/**
 * The balance in the header and the reconciliation panel in headless Chromium, with real numbers:
 * three days of calls through MCP against the simulated upstream (CometAPI charging 10 % more for
 * gpt-4o), the balance refreshed over HTTP, then "Reconcile now" pressed on the page.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { usdFromNano } from '../src/ledger/calls.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshBalance } from '../src/balance/snapshot.js';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import { startHarness, TEST_KEY, type Harness } from './helpers/harness.js';
import { dayClock, refreshDeps } from './helpers/balance.js';
import { HAS_CHROMIUM, launchChromium, requireChromium } from './helpers/browser.js';
import { startTestSidecar } from './helpers/sidecar.js';

requireChromium('balance browser test');

describe.skipIf(!HAS_CHROMIUM)('balance and reconciliation on the dashboard', () => {
  const clock = dayClock('2026-11-20');
  let h: Harness;
  let sidecar: RunningSidecar;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness({
      clock: clock.now,
      sim: { billing: { balanceUsd: 25, priceSkew: { 'gpt-4o': 1.1 }, clock: clock.now } },
    });
    for (const [i, models] of [
      ['gpt-4o', 'gpt-4o-mini'],
      ['gpt-4o-mini', 'deepseek-v3'],
      ['gpt-4o', 'gpt-4o'],
    ].entries()) {
      if (i > 0) clock.nextDay();
      for (const model of models) await h.call('chat', { prompt: `day ${i} ${model}`, model });
    }
    await h.runtime.store.balance.setRule('low-balance', 30_000_000_000, clock.now());
    // Fired now (the banner shows the last 24 hours of alerts), from the simulator's balance after day 3.
    await refreshBalance(refreshDeps(h));
    sidecar = await startTestSidecar({
      store: h.runtime.store,
      config: h.config,
      logger: h.runtime.logger,
      clock: clock.now,
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sidecar?.close();
    await h?.close();
  });

  it('shows the balance CometAPI reports and flags the gpt-4o days as a stale price', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(sidecar.url);
    const balance = page.locator('#balance-usd');
    await balance.waitFor();
    const expected = usdFromNano(25e9 - h.sim.billing.chargedNano);
    expect(Number(await balance.getAttribute('data-value'))).toBe(expected);
    expect(await balance.textContent()).toBe(`$${expected.toFixed(2)}`);
    expect(await page.textContent('#reconcile-table')).toContain('No reconciliation yet');
    expect(await page.textContent('li[data-rule="low-balance"]')).toContain(
      'alert low-balance: below $30.00 (fired; re-arms when the balance rises above it)',
    );
    // A rule set from the form is stored and listed; a bad amount is refused with the API's reason.
    await page.fill('#balance-rule-form [name=name]', 'very-low');
    await page.fill('#balance-rule-form [name=below]', '-3');
    await page.click('#balance-rule-form button[type=submit]');
    await page.waitForSelector('#panel-balance .quota-error:not([hidden])');
    expect(await page.textContent('#panel-balance .quota-error:not([hidden])')).toContain(
      'below must be an amount of USD',
    );
    await page.fill('#balance-rule-form [name=below]', '10');
    await page.click('#balance-rule-form button[type=submit]');
    await page.locator('li[data-rule="very-low"]').waitFor();
    expect(await page.textContent('li[data-rule="very-low"]')).toContain('alert very-low: below $10.00 (armed)');
    expect((await h.runtime.store.balance.rules()).map((r) => [r.name, r.below_nano])).toEqual([
      ['low-balance', 30_000_000_000],
      ['very-low', 10_000_000_000],
    ]);
    await page.click('li[data-rule="very-low"] button');
    await page.locator('li[data-rule="very-low"]').waitFor({ state: 'detached' });
    // The low-balance alert that refresh fired, in the banner under the header.
    expect(await page.textContent('#balance-alert-banner')).toContain(
      `Low balance: balance below $30.00: $${expected.toFixed(2)} left on the CometAPI account (rule "low-balance")`,
    );

    await page.click('#reconcile-run');
    await page.locator('#reconcile-table tr[data-day="2026-11-22"]').waitFor();
    const flagged = page.locator('#reconcile-table tr[data-flagged="true"]');
    expect(await flagged.count()).toBe(2);
    expect(await flagged.first().getAttribute('data-day')).toBe('2026-11-20');
    expect(await flagged.first().locator('.drift-cause').textContent()).toBe('⚠ stale price: gpt-4o');
    const calm = page.locator('#reconcile-table tr[data-day="2026-11-21"]');
    expect(await calm.getAttribute('data-flagged')).toBe('false');
    expect(await calm.locator('td').nth(1).textContent()).toBe('2');
    expect(await page.textContent('#panel-balance .reconcile-meta')).toContain('billing days in UTC');
    expect(await page.textContent('#panel-balance .reconcile-summary')).toBe('Days more than 2 % apart: 2');
    // The run is stored: a reload shows it without asking CometAPI again.
    await page.reload();
    await page.locator('#reconcile-table tr[data-flagged="true"]').first().waitFor();
    expect(await page.content()).not.toContain(TEST_KEY);
    fs.mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/balance-reconciliation.png', fullPage: true });
    // A phone-sized window: the wide table scrolls inside its panel, the page does not.
    await page.setViewportSize({ width: 400, height: 900 });
    await page.waitForTimeout(300); // the charts resize on the next frame
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1 && !node.closest('.table-wrap'))
        .map((node) => `${node.tagName}#${node.id}.${node.className}`),
    );
    expect(wide).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
