/**
 * show_usage and its MCP App, through a real MCP client: the text answer hosts without MCP Apps
 * show, the structured data the view draws (checked against the seeded rows), the ui:// resource
 * (one self-contained document, a CSP that allows nothing external), app-only visibility, and the
 * dashboard link only when a sidecar answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToolUiResourceUri, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { silentLogger } from '../src/log.js';
import type { UsageView } from '../src/mcp/usage-view-data.js';
import { formatUsd } from '../src/usage-format.js';
import { textOf } from './helpers/harness.js';
import { ledgerConfig, tempLedger } from './helpers/ledger.js';
import {
  closedPort,
  expectedTotals,
  startUsageViewHarness,
  XSS_CLIENT,
  XSS_ERROR,
  XSS_MODEL,
  type UsageViewHarness,
} from './helpers/usage-view.js';
import { startTestSidecar } from './helpers/sidecar.js';

const DAY = 86_400_000;
let h: UsageViewHarness;

beforeAll(async () => {
  h = await startUsageViewHarness(await closedPort(), 'inspector-cli');
});
afterAll(() => h.close());

/** The tools a host with MCP Apps offers the model: visibility absent or including "model" (spec default both). */
function modelVisible(tool: { _meta?: Record<string, unknown> | undefined }): boolean {
  const ui = tool._meta?.ui;
  if (typeof ui !== 'object' || ui === null || !('visibility' in ui) || !Array.isArray(ui.visibility)) return true;
  return ui.visibility.includes('model');
}

describe('show_usage', () => {
  it('answers with text first and the seeded figures as structuredContent', async () => {
    const result = await h.call('show_usage', { since: '24h' });
    expect(result.isError).toBeFalsy();
    const first = result.content[0];
    expect(first?.type).toBe('text');
    const view = result.structuredContent as UsageView;
    const want = expectedTotals(h.rows, Date.parse(view.since));
    // 24h back from the moment of the call, which came after h.now.
    expect(Date.parse(view.since)).toBeGreaterThanOrEqual(h.now - DAY);
    expect(Date.parse(view.since)).toBeLessThanOrEqual(Date.now() - DAY);
    expect(view.totals).toMatchObject(want);
    expect(view.totals.total_tokens).toBe(want.prompt_tokens + want.completion_tokens);
    const models = view.groups.find((g) => g.by === 'model');
    expect(models?.rows.map((r) => [r.key, r.requests, r.cost_usd])).toEqual([
      [XSS_MODEL, 1, 0.0025],
      ['gpt-4o-mini', 3, 0.002], // the failed call counts under the model it asked for
    ]);
    expect(view.groups.find((g) => g.by === 'client')?.rows.map((r) => r.key)).toEqual([XSS_CLIENT, 'Cherry Studio']);
    expect(view.series.points.reduce((sum, p) => sum + p.requests, 0)).toBe(want.requests);
    expect(view.series.points.reduce((sum, p) => sum + p.cost_usd, 0)).toBeCloseTo(want.cost_usd, 9);
    expect(view.errors).toEqual([
      expect.objectContaining({ error_type: 'rate_limit', http_status: 429, count: 1, last_message: XSS_ERROR }),
    ]);
    expect(view.quotas).toEqual([
      expect.objectContaining({ name: 'daily-cost', metric: 'cost', thresholds: [50, 80, 100], limit: 0.01 }),
    ]);
    expect(view.balance_usd).toBeNull();
    expect(view.dashboard_url).toBeNull();

    // What CherryStudio or the Inspector shows: the same figures in words, errors included.
    const text = textOf(result);
    expect(text.startsWith('Usage since ')).toBe(true);
    expect(text).toContain(
      `(24h, UTC): 4 requests (1 failed), ${want.prompt_tokens + want.completion_tokens} tokens (${want.prompt_tokens} prompt`,
    );
    expect(text).toContain(`${formatUsd(want.cost_usd)}.`);
    expect(text).toContain(`Top models: ${XSS_MODEL} $0.0025 (1 call), gpt-4o-mini $0.002 (3 calls)`);
    expect(text).toContain('daily-cost');
    expect(text).toContain(`rate_limit 429 ×1`);
    expect(text).not.toContain('Full dashboard');
  });

  it('links the tool to the ui:// resource and keeps the refresh tool away from the model', async () => {
    const { tools } = await h.client.listTools();
    const show = tools.find((t) => t.name === 'show_usage');
    const refresh = tools.find((t) => t.name === 'refresh_usage_view');
    expect(show && getToolUiResourceUri(show)).toBe('ui://cometapi/usage');
    expect(refresh && getToolUiResourceUri(refresh)).toBe('ui://cometapi/usage');
    const forModel = tools.filter(modelVisible).map((t) => t.name);
    expect(forModel).toContain('show_usage');
    expect(forModel).toContain('get_usage');
    expect(forModel).not.toContain('refresh_usage_view');
    // The view's refresh reads the same data.
    const refreshed = await h.call('refresh_usage_view', { since: '24h' });
    expect((refreshed.structuredContent as UsageView).totals.requests).toBe(4);
  });

  it('serves the view as one self-contained HTML document with a CSP that allows nothing external', async () => {
    const { resources } = await h.client.listResources();
    expect(resources).toContainEqual(
      expect.objectContaining({ uri: 'ui://cometapi/usage', mimeType: RESOURCE_MIME_TYPE }),
    );
    const { contents } = await h.client.readResource({ uri: 'ui://cometapi/usage' });
    const content = contents[0];
    expect(content?.mimeType).toBe('text/html;profile=mcp-app');
    const html = content && 'text' in content ? content.text : '';
    expect(content?._meta?.ui).toEqual({
      csp: { connectDomains: [], resourceDomains: [], frameDomains: [] },
      prefersBorder: true,
    });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    // One inline script (the App class, uPlot and the view) and inline styles; the markup around
    // them names no URL. (Library strings inside the script mention URLs; the CSP and the browser
    // test show nothing is fetched.)
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script>']);
    const markup = html.replace(/<script>[\s\S]*?<\/script>/, '').replace(/<style>[\s\S]*?<\/style>/, '');
    expect(markup.match(/https?:|\bsrc=|\bhref=|<link\b/gi)).toBeNull();
    expect(/@import|url\(\s*['"]?https?:/i.test(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '')).toBe(false);
    expect(html).toContain('ui/initialize');
    expect(html).toContain('refresh_usage_view');
    expect(html).toContain('uplot');
  });
});

describe('the dashboard link', () => {
  it('appears when the sidecar answers on the configured port', async () => {
    const temp = tempLedger();
    const sidecar = await startTestSidecar({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
    });
    const withSidecar = await startUsageViewHarness(sidecar.port);
    try {
      const result = await withSidecar.call('show_usage', {});
      expect((result.structuredContent as UsageView).dashboard_url).toBe(`${sidecar.url}/`);
      expect(textOf(result)).toContain(`Full dashboard: ${sidecar.url}/`);
    } finally {
      await withSidecar.close();
      await sidecar.close();
      temp.cleanup();
    }
  });
});
