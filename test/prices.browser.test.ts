/**
 * The Prices panel in headless Chromium against the real sidecar: a bad price is refused with
 * nothing changed; a new price for gpt-4o-mini is previewed, applied, and the model breakdown
 * then shows the repriced cost the ledger holds. Screenshot: test-output/prices.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import { allCalls, ledgerConfig, seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';
import { HAS_CHROMIUM, launchChromium, requireChromium } from './helpers/browser.js';
import { startTestSidecar } from './helpers/sidecar.js';

const SCREENSHOT = path.resolve('test-output/prices.png');

requireChromium('prices browser test');

const MIN = 60_000;
/** Tokens of the seeded gpt-4o-mini calls; at the list price (150 / 600 n$ a token) they cost 1,470,000 n$. */
const CALLS = [
  { prompt_tokens: 1000, completion_tokens: 1200 },
  { prompt_tokens: 2000, completion_tokens: 500 },
  { prompt_tokens: 800, completion_tokens: 250 },
];

describe.skipIf(!HAS_CHROMIUM)('prices panel in the dashboard', () => {
  let temp: TempLedger;
  let sidecar: RunningSidecar;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    temp = tempLedger('cometapi-mcp-prices-browser-');
    const now = Date.now();
    await seedCalls(temp.store, [
      ...CALLS.map((tokens, i) => ({
        ts: now - (i + 1) * 10 * MIN,
        ...tokens,
        cost_nano_usd: tokens.prompt_tokens * 150 + tokens.completion_tokens * 600,
      })),
      { ts: now - 5 * MIN, model_requested: 'qwen3-coder-plus', model_used: 'qwen3-coder-plus', cost_nano_usd: null },
    ]);
    sidecar = await startTestSidecar({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sidecar?.close();
    await temp?.cleanup();
  });

  const modelCost = (model: string) =>
    page.locator('#breakdown-model tbody tr', { hasText: model }).locator('td').nth(3).textContent();

  it('previews and applies a new price, and the breakdown shows the repriced cost', async () => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
    await page.goto(sidecar.url);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await modelCost('gpt-4o-mini')).toBe('$0.0017');
    expect(await page.textContent('#prices-unpriced')).toBe('qwen3-coder-plus: no price (1 call)');

    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page.click('#panel-prices summary');
    await page.fill('#price-form [name=model]', 'gpt-4o-mini');
    await page.fill('#price-form [name=input_per_mtok]', '-1');
    await page.click('#price-form button[type=submit]');
    await page.waitForSelector('.price-result.quota-error');
    expect(await page.textContent('.price-result')).toContain(
      'price.input_per_mtok must be a price in USD, zero or more',
    );
    expect(await page.isDisabled('#price-form button[type=button]')).toBe(true);

    await page.fill('#price-form [name=input_per_mtok]', '0.3');
    await page.fill('#price-form [name=output_per_mtok]', '1.2');
    await page.fill('#price-form [name=reprice_since]', since);
    await page.click('#price-form button[type=submit]');
    await page.waitForSelector('#price-form button[type=button]:not([disabled])');
    // 3800 × 300 + 1950 × 1200 n$ = $0.00348; the rows still hold the old costs.
    expect(await page.textContent('.price-result')).toBe(
      'Repricing 3 calls: $0.0017 → $0.0035. Apply to store the price and change them.',
    );
    expect((await allCalls(temp.store)).map((r) => r.cost_nano_usd)).toEqual([870_000, 600_000, 270_000, null]);

    await page.click('#price-form button[type=button]');
    await page.waitForSelector('.price-result >> text=Saved; 3 calls repriced');
    expect((await allCalls(temp.store)).map((r) => r.cost_nano_usd)).toEqual([1_740_000, 1_200_000, 540_000, null]);
    await expect.poll(() => modelCost('gpt-4o-mini')).toBe('$0.0035');
    expect(await page.textContent('#prices-stored tr[data-model="gpt-4o-mini"]')).toContain('$0.30');
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('#panel-prices').scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  }, 60_000);
});
