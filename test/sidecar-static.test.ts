import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { ledgerConfig, tempLedger, type TempLedger } from './helpers/ledger.js';

let temp: TempLedger;
let app: Hono;
beforeAll(() => {
  temp = tempLedger();
  app = createApp({ store: temp.store, config: ledgerConfig(temp), logger: silentLogger, mode: 'demo' });
});
afterAll(() => temp.cleanup());

describe('dashboard files', () => {
  it('serves the page with a same-origin-only CSP and its modules as JavaScript', async () => {
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<section id="quotas"');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    for (const file of ['/app.js', '/api.js', '/live.js', '/dom.js', '/format.js', '/charts.js', '/tables.js']) {
      const res = await app.request(file);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/javascript');
    }
    expect((await app.request('/style.css')).headers.get('content-type')).toContain('text/css');
  });

  it('serves uPlot from node_modules under /vendor', async () => {
    const js = await app.request('/vendor/uPlot.iife.min.js');
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('uPlot');
    expect((await app.request('/vendor/uPlot.min.css')).status).toBe(200);
    expect((await app.request('/vendor/uPlot.esm.js')).status).toBe(404);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/vendor/..%2f..%2fpackage.json',
    '/.eslintrc.js',
    '/src/config.ts',
  ])('never serves anything outside dashboard/: %s', async (path) => {
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"name": "cometapi-mcp"');
  });
});
