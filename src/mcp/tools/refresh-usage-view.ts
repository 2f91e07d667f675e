import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { usageViewInput, usageViewSchema, type UsageView, type UsageViewRequest } from '../usage-view-data.js';
import { formatUsageView, USAGE_VIEW_URI } from './show-usage.js';

/**
 * What the open usage view calls to refresh itself. App-only (visibility ["app"]): hosts keep it
 * out of the model's tool list, since show_usage already answers the model.
 */
export function registerRefreshUsageView(
  server: McpServer,
  read: (request: UsageViewRequest) => Promise<UsageView>,
): void {
  registerAppTool(
    server,
    'refresh_usage_view',
    {
      title: 'Refresh the usage view',
      description: 'Data for the open usage view (called by the view itself, not by the model).',
      inputSchema: usageViewInput,
      outputSchema: usageViewSchema,
      annotations: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
      _meta: { ui: { resourceUri: USAGE_VIEW_URI, visibility: ['app'] } },
    },
    async (args) => {
      const view = await read(args);
      return { content: [{ type: 'text', text: formatUsageView(view) }], structuredContent: view };
    },
  );
}
