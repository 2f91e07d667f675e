import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatBalance } from '../../balance/format.js';
import { balanceStateSchema, readBalanceState } from '../../balance/present.js';
import { createTranslator } from '../../i18n.js';
import { USAGE_GROUPS } from '../../ledger/store.js';
import { readQuotaStates, formatQuotaLines, quotaStateSchema } from '../../quotas/report.js';
import { parseSince } from '../../time.js';
import { formatUsageTable } from '../../usage-format.js';
import type { ServerDeps } from '../deps.js';

const usageRowSchema = z.object({
  key: z.string(),
  requests: z.number(),
  errors: z.number(),
  blocked: z.number(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  cost_usd: z.number(),
  unpriced_calls: z.number(),
  estimated_calls: z.number(),
});

export function registerGetUsage(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'get_usage',
    {
      title: 'Show usage and cost',
      description:
        "Report recorded usage from the local ledger — requests, tokens and cost — since a point in time, grouped by model, tool, client, provider, source, status or day, plus each quota's state this period (used, limit, percent, forecast, when it resets; hard quotas refuse calls past the limit) and the CometAPI balance as last refreshed. Lets an agent watch its own budget. Makes no upstream call.",
      inputSchema: {
        since: z
          .string()
          .default('today')
          .describe('today, week, month, all, a duration like 24h or 7d, or a date like 2025-06-01'),
        by: z.enum(USAGE_GROUPS).default('model'),
      },
      outputSchema: {
        since: z.string(),
        until: z.string(),
        time_zone: z.string(),
        by: z.string(),
        total: usageRowSchema,
        rows: z.array(usageRowSchema),
        quotas: z.array(quotaStateSchema),
        balance: balanceStateSchema,
      },
      annotations: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
    },
    async (args) => {
      const now = (deps.clock ?? Date.now)();
      const tz = deps.config.timeZone;
      const report = await deps.store.queries.usageReport({
        since: parseSince(args.since, now, tz),
        until: now + 1,
        by: args.by,
        timeZone: tz,
      });
      const structured = {
        ...report,
        since: new Date(report.since).toISOString(),
        until: new Date(report.until).toISOString(),
        quotas: await readQuotaStates(deps.store, now),
        balance: await readBalanceState(deps.store),
      };
      const balance = formatBalance(structured.balance, [], createTranslator('en'));
      const text = `${formatUsageTable(report)}\n\n${formatQuotaLines(structured.quotas)}\n\n${balance}`;
      return { content: [{ type: 'text', text }], structuredContent: structured };
    },
  );
}
