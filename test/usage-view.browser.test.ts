/**
 * The usage view as a host shows it: a real MCP client calls show_usage and reads the ui://
 * resource; headless Chromium loads that HTML in a sandboxed iframe and talks to it through the
 * ext-apps host bridge (AppBridge), whose tool calls go back to the same MCP client. Checks the
 * figures drawn, a refresh, the theme switch, that HTML in model/client/error text stays text,
 * and that the page makes no network request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolRequest } from '@modelcontextprotocol/sdk/types.js';
import { formatUsd } from '../src/usage-format.js';
import { callRecord } from './helpers/ledger.js';
import {
  closedPort,
  expectedTotals,
  startUsageViewHarness,
  XSS_CLIENT,
  XSS_ERROR,
  XSS_MODEL,
  type UsageViewHarness,
} from './helpers/usage-view.js';
import { HAS_CHROMIUM, launchChromiumProfile, requireChromium } from './helpers/browser.js';

const SCREENSHOT = path.resolve('test-output/usage-view.png');

requireChromium('usage view browser tests');

/** The host side of MCP Apps, as a browser bundle: AppBridge and its postMessage transport. */
async function bridgeBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "export { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';",
      resolveDir: process.cwd(),
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'ExtApps',
    platform: 'browser',
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * A minimal host: a sandboxed iframe (scripts only, opaque origin) holding the view, and an
 * AppBridge that answers the view's tool calls through window.hostCallTool (the Node MCP client).
 */
const HOST_SCRIPT = `
window.startHost = async ({ html, toolInput, toolResult }) => {
  const iframe = document.getElementById('view');
  const bridge = new ExtApps.AppBridge(
    null,
    { name: 'test-host', version: '1.0.0' },
    { serverTools: {}, openLinks: {} },
    { hostContext: { theme: 'light', displayMode: 'inline' } },
  );
  bridge.oncalltool = (params) => window.hostCallTool(params);
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new ExtApps.PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: toolInput });
  await bridge.sendToolResult(toolResult);
  window.bridge = bridge;
};`;

interface BrowserHarness {
  h: UsageViewHarness;
  context: BrowserContext;
  page: Page;
  frame: Frame;
  requests: string[];
  problems: string[];
  close(): Promise<void>;
}

async function startBrowserHarness(): Promise<BrowserHarness> {
  const h = await startUsageViewHarness(await closedPort());
  const toolInput = { since: '24h', by: 'model' };
  const toolResult = await h.client.callTool({ name: 'show_usage', arguments: toolInput });
  const resource = (await h.client.readResource({ uri: 'ui://cometapi/usage' })).contents[0];
  const html = resource && 'text' in resource ? resource.text : '';

  const browser = await launchChromiumProfile({ width: 960, height: 1000 });
  const { context } = browser;
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => (problems.push(`dialog: ${d.message()}`), void d.dismiss()));
  await page.exposeFunction('hostCallTool', (params: CallToolRequest['params']) => h.client.callTool(params));
  await page.setContent(
    `<!doctype html><html><body style="margin:0">` +
      `<iframe id="view" sandbox="allow-scripts" style="width:940px;height:980px;border:0"></iframe>` +
      `<script>${await bridgeBundle()}\n${HOST_SCRIPT}</script></body></html>`,
  );
  await page.evaluate(`window.startHost(${JSON.stringify({ html, toolInput, toolResult })})`);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  if (!frame) throw new Error('the view iframe did not load');
  return {
    h,
    context,
    page,
    frame,
    requests,
    problems,
    close: async () => {
      await browser.close();
      await h.close();
    },
  };
}

describe.skipIf(!HAS_CHROMIUM)('usage view in headless Chromium through the ext-apps host bridge', () => {
  let b: BrowserHarness;
  beforeAll(async () => {
    b = await startBrowserHarness();
  }, 60_000);
  afterAll(async () => b?.close());

  it('draws the figures of the seeded ledger', async () => {
    const want = expectedTotals(b.h.rows, b.h.now - 86_400_000);
    const spend = b.frame.locator('#spend');
    await expect.poll(() => spend.textContent()).toBe(formatUsd(want.cost_usd));
    expect(await b.frame.textContent('#tokens')).toBe(
      (want.prompt_tokens + want.completion_tokens).toLocaleString('en-US'),
    );
    expect(await b.frame.textContent('#requests')).toBe(`${want.requests} (${want.errors} failed)`);
    expect(await b.frame.locator('#chart canvas').count()).toBe(1);
    expect(await b.frame.locator('#quotas .bar-row .threshold').count()).toBe(3);
    expect(await b.frame.isHidden('#balance-tile')).toBe(true); // no balance source yet
    expect(await b.frame.isHidden('#dashboard')).toBe(true); // no sidecar on the probed port
  });

  it('renders HTML in model, client and error text as inert text', async () => {
    const keys = await b.frame.locator('.bar-key').allTextContents();
    expect(keys).toContain(XSS_MODEL);
    expect(keys).toContain(XSS_CLIENT);
    expect(await b.frame.locator('#errors').textContent()).toContain(XSS_ERROR);
    expect(await b.frame.locator('img, #xss-client, #errors script').count()).toBe(0);
    expect(await b.frame.evaluate(() => Reflect.get(window, '__xss') ?? null)).toBeNull();
  });

  it('shows a new call after a refresh', async () => {
    const fresh = callRecord({ ts: Date.now(), model_used: 'fresh-model', cost_nano_usd: 7_000_000 });
    await b.h.runtime.store.calls.record(fresh);
    await b.frame.click('#refresh');
    await b.frame.locator('.bar-key', { hasText: 'fresh-model' }).waitFor();
    const want = expectedTotals([...b.h.rows, fresh], b.h.now - 86_400_000);
    expect(await b.frame.textContent('#spend')).toBe(formatUsd(want.cost_usd));
  });

  it("follows the host's theme", async () => {
    const theme = () => b.frame.evaluate(() => document.documentElement.dataset.theme);
    const background = () => b.frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await theme()).toBe('light');
    expect(await background()).toBe('rgb(255, 255, 255)');
    await b.page.evaluate(`window.bridge.setHostContext({ theme: 'dark', displayMode: 'inline' })`);
    await expect.poll(theme).toBe('dark');
    expect(await background()).toBe('rgb(21, 25, 30)');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await b.page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("speaks the host's language, with its number formats", async () => {
    const figure = async (id: string) =>
      Number((await b.frame.textContent(id))?.replace(/\D.*$/, '').replaceAll(',', ''));
    const tokens = await figure('#tokens');
    await b.page.evaluate(`window.bridge.setHostContext({ theme: 'light', displayMode: 'inline', locale: 'de-DE' })`);
    await expect.poll(() => b.frame.evaluate(() => document.documentElement.lang)).toBe('de');
    expect(await b.frame.textContent('h1 [data-i18n="view.title"]')).toBe('Nutzung');
    expect(await b.frame.textContent('#refresh')).toBe('Aktualisieren');
    expect(await b.frame.textContent('#period')).toMatch(/^seit /);
    expect(await b.frame.textContent('#tokens')).toBe(tokens.toLocaleString('de-DE'));
    expect(await b.frame.textContent('#requests')).toMatch(/^[\d.]+ \([\d.]+ fehlgeschlagen\)$/);
    expect(await b.frame.locator('#quotas').textContent()).toContain(' pro Tag');
    await b.page.evaluate(`window.bridge.setHostContext({ theme: 'light', displayMode: 'inline', locale: 'zh-CN' })`);
    await expect.poll(() => b.frame.textContent('#refresh')).toBe('刷新');
  });

  it('made no network request and hit no CSP violation or script error', () => {
    expect(b.requests.filter((url) => !url.startsWith('data:'))).toEqual([]);
    expect(b.problems).toEqual([]);
  });
});
