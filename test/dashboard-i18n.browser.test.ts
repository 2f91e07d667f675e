/**
 * The dashboard in English, 简体中文, Deutsch and Español, in headless Chromium against the real
 * sidecar: chosen from the browser's language, switched in the header and remembered. For the
 * three translations, no English sentence of en.json may remain visible (ledger data such as model
 * names aside), no catalog key may show raw, and numbers and dates follow the locale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LOCALES, LOCALES_DIR, type Locale } from '../src/i18n.js';
import { silentLogger } from '../src/log.js';
import type { RunningSidecar } from '../src/sidecar/serve.js';
import { startHarness } from './helpers/harness.js';
import { ledgerConfig, seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';
import { startTestSidecar } from './helpers/sidecar.js';
import { HAS_CHROMIUM, launchChromium, requireChromium } from './helpers/browser.js';

const OUTPUT = path.resolve('test-output');
const MIN = 60_000;
const CLIENT = 'i18n-client';
const QUOTA = 'q-i18n';

requireChromium('dashboard language tests');

type Catalog = Record<string, string>;
const catalog = (locale: Locale): Catalog =>
  JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, `${locale}.json`), 'utf8')) as Catalog;
const BROWSER_LOCALE: Readonly<Record<Locale, string>> = { en: 'en-US', 'zh-CN': 'zh-CN', de: 'de-DE', es: 'es-ES' };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const word = (fragment: string) => new RegExp(`(?<![A-Za-z])${escapeRegExp(fragment)}(?![A-Za-z])`);

/**
 * The English the page could leave behind: each en.json value cut at its placeholders, trimmed to
 * letters at both ends, minus fragments the translation uses itself (TTFT, Prometheus, Client).
 */
function englishFragments(locale: Locale): string[] {
  const translated = Object.values(catalog(locale));
  const fragments = Object.values(catalog('en'))
    .flatMap((text) => text.split(/\{\{[^}]*\}\}/))
    .map((part) => part.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, ''))
    .filter((part) => /[A-Za-z]{2}/.test(part));
  return [...new Set(fragments)].filter((fragment) => !translated.some((text) => word(fragment).test(text)));
}

/** Visible text and tooltips, without ledger text (messages, code, paths) the page only relays. */
async function visibleText(page: Page, ledgerStrings: string[]): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const skip = 'code, pre, .msg, .model, .key-name, .quota-name, .quota-scope, td:nth-child(3), td:nth-child(4)';
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(skip) || !node.textContent?.trim()) continue;
      // The options of a select are read when it opens: they count when the select is visible.
      const shown = parent.closest('select') ?? parent;
      if (shown.checkVisibility({ checkVisibilityCSS: true })) out.push(node.textContent);
    }
    for (const element of Array.from(document.querySelectorAll('[title], [aria-label], [placeholder]'))) {
      if (element.closest(skip) || !element.checkVisibility()) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) out.push(element.getAttribute(name) ?? '');
    }
    out.push(document.title);
    return out;
  });
  return texts.map((text) => ledgerStrings.reduce((t, data) => t.split(data).join(' '), text));
}

async function expectFullyTranslated(page: Page, locale: Locale, ledgerStrings: string[]) {
  const texts = await visibleText(page, ledgerStrings);
  const joined = texts.join('\n');
  const leftovers = englishFragments(locale).filter((fragment) => word(fragment).test(joined));
  expect(leftovers, `English left on the ${locale} page`).toEqual([]);
  const keys = Object.keys(catalog('en')).map((key) => key.replace(/_(one|many|other)$/, ''));
  expect(
    keys.filter((key) => joined.includes(key)),
    'catalog keys shown raw',
  ).toEqual([]);
  expect(joined).not.toContain('{{');
}

interface Site {
  temp: TempLedger;
  sidecar: RunningSidecar;
}

async function startSite(
  mode: 'demo' | 'live',
  seed?: (temp: TempLedger, url: string) => Promise<void>,
): Promise<Site> {
  const temp = tempLedger();
  const sidecar = await startTestSidecar({
    store: temp.store,
    config: ledgerConfig(temp, { COMETAPI_MCP_TZ: 'Europe/Berlin' }),
    logger: silentLogger,
    mode,
    eventsPollMs: 200,
  });
  await seed?.(temp, sidecar.url);
  return { temp, sidecar };
}

/**
 * 1,234 calls in the last day at $0.01 each ($12.34), one of them rate-limited, and a client-scoped
 * quota of 2 requests whose 50 % and 100 % alerts fire through real MCP calls on the metering path.
 */
async function seedFull(temp: TempLedger, url: string): Promise<void> {
  const now = Date.now();
  await seedCalls(temp.store, [
    ...Array.from({ length: 1233 }, (_, i) => ({
      ts: now - (1233 - i) * MIN,
      model_used: i % 2 ? 'gpt-4o-mini' : 'claude-sonnet-4',
      client: 'Cherry Studio',
      cost_nano_usd: 10_000_000,
      usage_estimated: i % 100 === 0,
      ttft_ms: 150,
    })),
    {
      ts: now - 5 * MIN,
      status: 'error',
      error_type: 'rate_limit',
      http_status: 429,
      error_message: 'HTTP 429',
      cost_nano_usd: 10_000_000,
      retries: 2,
    },
  ]);
  const response = await fetch(`${url}/api/quotas/${QUOTA}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      metric: 'requests',
      period: 'day',
      limit: 2,
      scope: `client=${CLIENT}`,
      thresholds: [50, 100],
    }),
  });
  expect(response.status).toBe(200);
  const mcp = await startHarness({ clientName: CLIENT, env: { COMETAPI_MCP_DB: temp.file } });
  try {
    for (const prompt of ['one', 'two']) expect((await mcp.call('chat', { prompt })).isError).toBeFalsy();
  } finally {
    await mcp.close();
  }
}

const normalSpaces = (text: string | null) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');

describe.skipIf(!HAS_CHROMIUM)('dashboard languages in headless Chromium', () => {
  let browser: Browser;
  let full: Site;
  let empty: Site;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    full = await startSite('demo', seedFull);
    empty = await startSite('live');
    browser = await launchChromium();
    fs.mkdirSync(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    for (const site of [full, empty]) {
      await site?.sidecar.close();
      await site?.temp.cleanup();
    }
  });

  /** A fresh profile whose browser language is `browserLocale`. */
  async function open(browserLocale: string, url: string): Promise<Page> {
    const context = await browser.newContext({ locale: browserLocale, viewport: { width: 1366, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // The quota form's refused input is a 400 the browser logs; anything else is a problem.
      if (m.type() === 'error' && !m.text().includes('status of 400')) problems.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector('body[data-loaded="true"]');
    return page;
  }

  /** What the page reports about the ledger (names, paths, the seeded error text): not ours to translate. */
  const ledgerStrings = () => [
    full.temp.file,
    empty.temp.file,
    'gpt-4o-mini',
    'claude-sonnet-4',
    'Cherry Studio',
    CLIENT,
    QUOTA,
    'rate_limit',
  ];

  for (const locale of LOCALES) {
    it(`renders every part in ${locale} when the browser asks for ${BROWSER_LOCALE[locale]}`, async () => {
      const page = await open(BROWSER_LOCALE[locale], full.sidecar.url);
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
      expect(await page.inputValue('#language')).toBe(locale);
      await page.click('.ranges button[data-range="24h"]');
      await page.waitForSelector('body[data-range="24h"]');
      await page.waitForSelector(`li[data-quota="${QUOTA}"][data-percent="100"]`);
      await page.waitForSelector('#quota-alert-banner:not([hidden])');
      await page.waitForSelector('#alert-history tbody tr[data-alert]');
      // The form's own validation messages too: a name with a space and a negative limit.
      await page.click('#panel-quotas summary');
      await page.fill('#quota-form [name=name]', 'bad name');
      await page.fill('#quota-form [name=limit]', '-2');
      await page.click('#quota-form button[type=submit]');
      await page.waitForSelector('#quota-form .quota-error:not([hidden])');
      const strings = catalog(locale);
      const formError = (await page.textContent('#quota-form .quota-error')) ?? '';
      if (locale !== 'en') {
        expect(formError).toContain(strings['apiError.invalid_quota']);
        expect(formError).toContain(strings['form.limit']);
        await expectFullyTranslated(page, locale, ledgerStrings());
      } else {
        expect(formError).toContain('limit: must be greater than 0');
      }
      await page.screenshot({ path: path.join(OUTPUT, `dashboard-${locale}.png`), fullPage: true });
      expect(fs.statSync(path.join(OUTPUT, `dashboard-${locale}.png`)).size).toBeGreaterThan(10_000);
    }, 30_000);

    it(`formats numbers, money and dates for ${locale}`, async () => {
      const page = await open(BROWSER_LOCALE[locale], full.sidecar.url);
      await page.click('.ranges button[data-range="24h"]');
      await page.waitForSelector('body[data-range="24h"]');
      // 1,234 seeded calls at $0.01 plus the two MCP calls that fired the alerts (a fraction of a cent).
      expect(Number(await page.getAttribute('#stat-requests', 'data-value'))).toBe(1236);
      expect(Number(await page.getAttribute('#stat-cost', 'data-value'))).toBeCloseTo(12.34, 2);
      const expected = {
        en: { requests: '1,236', cost: '$12.34', date: /^[A-Z][a-z]{2} \d{1,2}, \d{4}/ },
        de: { requests: '1.236', cost: '12,34 $', date: /^\d{2}\.\d{2}\.\d{4}/ },
        // Spanish groups thousands only from five digits on.
        es: { requests: '1236', cost: '12,34 US$', date: /^\d{1,2} [a-z]{3,4}\.? \d{4}/ },
        'zh-CN': { requests: '1,236', cost: 'US$12.34', date: /^\d{4}年\d{1,2}月\d{1,2}日/ },
      }[locale];
      expect(normalSpaces(await page.textContent('#stat-requests'))).toBe(expected.requests);
      expect(normalSpaces(await page.textContent('#stat-cost'))).toBe(expected.cost);
      const when = normalSpaces(await page.getAttribute('#calls-table tbody tr td[title]', 'title'));
      expect(when).toMatch(expected.date);
      // The ledger's time zone, not the browser's: Berlin is UTC+1 in winter, UTC+2 in summer.
      expect(when).toMatch(/GMT\+[12]|MEZ|MESZ|CET|CEST|GMT\+0?[12]:00|UTC\+[12]/);
    }, 30_000);
  }

  it('shows the how-to-connect card fully translated on an empty ledger', async () => {
    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      const page = await open(BROWSER_LOCALE[locale], empty.sidecar.url);
      expect(await page.isVisible('#empty-state')).toBe(true);
      expect(await page.textContent('#empty-state')).toContain(catalog(locale)['empty.step1Path']);
      await expectFullyTranslated(page, locale, ledgerStrings());
      await page.screenshot({ path: path.join(OUTPUT, `dashboard-empty-${locale}.png`), fullPage: true });
    }
  }, 60_000);

  it('switches language in the header, and remembers the choice across reloads and new tabs', async () => {
    const page = await open('en-US', full.sidecar.url);
    expect(await page.textContent('#headline h3')).toBe('Requests');
    for (const locale of ['de', 'zh-CN', 'es', 'en'] as const) {
      await Promise.all([page.waitForEvent('load'), page.selectOption('#language', locale)]);
      await page.waitForSelector(`html[lang="${locale}"]`);
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.textContent('#headline h3')).toBe(catalog(locale)['card.requests']);
      await page.reload();
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
      const tab = await page.context().newPage();
      await tab.goto(full.sidecar.url);
      await tab.waitForSelector('body[data-loaded="true"]');
      expect(await tab.inputValue('#language')).toBe(locale);
      expect(await tab.textContent('#headline h3')).toBe(catalog(locale)['card.requests']);
      await tab.close();
    }
  }, 60_000);

  it('shows English for a key a catalog lacks, never the key itself', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    const partial = catalog('de');
    delete partial['card.cost'];
    await context.route('**/locales/de.json', (route) => route.fulfill({ json: partial }));
    const page = await context.newPage();
    await page.goto(full.sidecar.url);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.textContent('#stat-cost')).toBeTruthy();
    expect(await page.locator('#headline h3').nth(3).textContent()).toBe('Cost');
    expect(await page.locator('#headline h3').nth(0).textContent()).toBe('Anfragen');
  });

  it('raised no script errors or CSP violations in any language', () => {
    expect(problems).toEqual([]);
  });
});
