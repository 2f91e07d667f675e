/**
 * The usage view's script: connects to the host (ext-apps App over postMessage), draws the
 * show_usage result it is given, then refreshes itself through the app-only refresh_usage_view
 * tool while it is open and visible. Follows the host's light/dark theme.
 */
import { App, applyDocumentTheme, applyHostStyleVariables } from '@modelcontextprotocol/ext-apps';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type uPlot from 'uplot';
import { config } from 'zod/v4/core';
import type { UsageView } from '../../src/mcp/usage-view-data.js';
import { createViewText, localeOf, translateStatic, type ViewText } from './i18n.js';
import { renderView } from './render.js';

const REFRESH_MS = 15_000;
const GROUPS = ['model', 'tool', 'client', 'provider', 'status'] as const;

// The CSP allows no eval; without this zod would probe `new Function` and log a CSP violation.
config({ jitless: true });

/** Our own server's result; checked in outline so a different host payload is ignored, not drawn. */
function isUsageView(value: unknown): value is UsageView {
  if (typeof value !== 'object' || value === null) return false;
  return 'totals' in value && 'groups' in value && 'series' in value && 'quotas' in value && 'errors' in value;
}

function button(id: string): HTMLButtonElement {
  const node = document.getElementById(id);
  if (!(node instanceof HTMLButtonElement)) throw new Error(`usage view: #${id} is missing from the page`);
  return node;
}

function start(): void {
  const app = new App({ name: 'cometapi-usage-view', version: '1.0.0' }, {});
  const request: { since: string; by: (typeof GROUPS)[number] } = { since: 'today', by: 'model' };
  let chart: uPlot | null = null;
  let current: UsageView | null = null;
  let text: ViewText = createViewText(navigator.language);

  const draw = (result: CallToolResult) => {
    if (!isUsageView(result.structuredContent)) return;
    current = result.structuredContent;
    chart = renderView(current, chart, text);
  };
  const setStatus = (text: string) => {
    const status = document.getElementById('status');
    if (status) status.textContent = text;
  };
  const refresh = async () => {
    try {
      draw(await app.callServerTool({ name: 'refresh_usage_view', arguments: request }));
    } catch (error) {
      setStatus(text.t('view.refreshFailed', { reason: error instanceof Error ? error.message : String(error) }));
    }
  };
  const applyContext = (context: ReturnType<App['getHostContext']>) => {
    if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
    if (context?.locale && localeOf(context.locale) !== text.locale) {
      text = createViewText(context.locale);
      translateStatic(text);
    }
    if (context?.theme) applyDocumentTheme(context.theme);
    if (current) chart = renderView(current, chart, text); // the chart takes its colours when drawn
  };

  translateStatic(text);
  app.ontoolinput = ({ arguments: args }) => {
    if (typeof args?.since === 'string') request.since = args.since;
    const by = GROUPS.find((g) => g === args?.by);
    if (by) request.by = by;
  };
  app.ontoolresult = draw;
  app.onhostcontextchanged = applyContext;
  button('refresh').addEventListener('click', () => void refresh());
  button('dashboard').addEventListener('click', () => {
    if (current?.dashboard_url) void app.openLink({ url: current.dashboard_url });
  });

  void app.connect().then(
    () => {
      applyContext(app.getHostContext());
      setInterval(() => {
        if (!document.hidden) void refresh();
      }, REFRESH_MS);
    },
    (error: unknown) => setStatus(text.t('view.connectFailed', { reason: String(error) })),
  );
}

start();
