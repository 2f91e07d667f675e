/**
 * The usage view (an MCP App): show_usage for the model, refresh_usage_view for the open view,
 * and the ui://cometapi/usage resource, one self-contained HTML document built by
 * `npm run build` (scripts/build-view.ts) with its script, chart and styles inlined.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RESOURCE_MIME_TYPE, registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { probeDashboard } from './dashboard-link.js';
import type { ServerDeps } from './deps.js';
import { registerRefreshUsageView } from './tools/refresh-usage-view.js';
import { registerShowUsage, USAGE_VIEW_URI } from './tools/show-usage.js';
import { createUsageViewData } from './usage-view-data.js';

/** src/mcp and dist/mcp are both two levels below the package root. */
export const USAGE_VIEW_FILE = fileURLToPath(new URL('../../dist/views/usage.html', import.meta.url));

async function readViewHtml(): Promise<string> {
  try {
    return await fs.readFile(USAGE_VIEW_FILE, 'utf8');
  } catch {
    throw new Error(`the usage view is not built (${USAGE_VIEW_FILE} is missing); run npm run build`);
  }
}

export function registerUsageView(server: McpServer, deps: ServerDeps): void {
  const read = createUsageViewData(deps, () => probeDashboard(deps.config));
  registerShowUsage(server, read);
  registerRefreshUsageView(server, read);
  registerAppResource(
    server,
    'Usage view',
    USAGE_VIEW_URI,
    { description: 'The live usage view that show_usage opens in hosts with MCP Apps.' },
    async () => ({
      contents: [
        {
          uri: USAGE_VIEW_URI,
          mimeType: RESOURCE_MIME_TYPE,
          text: await readViewHtml(),
          // Nothing external: no connect, resource or frame domains. The dashboard link opens through the host.
          _meta: { ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [] }, prefersBorder: true } },
        },
      ],
    }),
  );
}
