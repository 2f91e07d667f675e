import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { formatQuotaLines } from '../../quotas/report.js';
import { formatUsd } from '../../usage-format.js';
import { usageViewInput, usageViewSchema, type UsageView, type UsageViewRequest } from '../usage-view-data.js';

export const USAGE_VIEW_URI = 'ui://cometapi/usage';

const count = (n: number) => n.toLocaleString('en-US');

function barLine(group: UsageView['groups'][number]): string {
  const rows = group.rows.map(
    (r) => `${r.key ?? '(none)'} ${formatUsd(r.cost_usd)} (${count(r.requests)} call${r.requests === 1 ? '' : 's'})`,
  );
  return `Top ${group.by}s: ${rows.length ? rows.join(', ') : 'none'}`;
}

/** The plain-text answer: what hosts without MCP Apps (CherryStudio, the Inspector) and the model read. */
export function formatUsageView(view: UsageView): string {
  const t = view.totals;
  const failed = t.errors + t.blocked;
  const lines = [
    `Usage since ${view.since} (${view.period}, ${view.time_zone}): ${count(t.requests)} requests` +
      `${failed ? ` (${count(failed)} failed)` : ''}, ${count(t.total_tokens)} tokens ` +
      `(${count(t.prompt_tokens)} prompt + ${count(t.completion_tokens)} completion), ${formatUsd(t.cost_usd)}` +
      `${t.unpriced_calls ? ` (+${count(t.unpriced_calls)} unpriced calls not included)` : ''}.`,
    ...view.groups.map(barLine),
    formatQuotaLines(view.quotas),
  ];
  if (view.balance_usd !== null) lines.push(`Balance: ${formatUsd(view.balance_usd)}`);
  if (view.errors.length) {
    lines.push('Last errors:');
    for (const e of view.errors) {
      const kind = [e.status, e.error_type, e.http_status].filter((v) => v !== null).join(' ');
      lines.push(`- ${kind} ×${e.count}, last ${e.last_at}${e.last_message ? `: ${e.last_message}` : ''}`);
    }
  }
  if (view.dashboard_url) lines.push(`Full dashboard: ${view.dashboard_url}`);
  return lines.join('\n');
}

/** The model-facing tool: hosts with MCP Apps draw the view beside the text answer. */
export function registerShowUsage(server: McpServer, read: (request: UsageViewRequest) => Promise<UsageView>): void {
  registerAppTool(
    server,
    'show_usage',
    {
      title: 'Show the usage view',
      description:
        'Show spend and tokens for a period (today by default) as a live view in hosts that render MCP Apps: ' +
        'spend over time, top models and clients, quota bars, and the last errors; other hosts get the same as text. ' +
        'Reads the local ledger only; makes no upstream call.',
      inputSchema: usageViewInput,
      outputSchema: usageViewSchema,
      annotations: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
      _meta: { ui: { resourceUri: USAGE_VIEW_URI } },
    },
    async (args) => {
      const view = await read(args);
      return { content: [{ type: 'text', text: formatUsageView(view) }], structuredContent: view };
    },
  );
}
