import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatBalance } from '../../balance/format.js';
import { balanceStateSchema, readBalanceState } from '../../balance/present.js';
import { createTranslator } from '../../i18n.js';
import { USAGE_GROUPS, type UsageRow } from '../../ledger/store.js';
import { readQuotaStates, formatQuotaLines, quotaStateSchema } from '../../quotas/report.js';
import { parseSince } from '../../time.js';
import { formatUsageTable, formatUsd } from '../../usage-format.js';
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

/** What the caller's own session has spent: first, so an agent reading only that much sees it. */
function sessionLine(own: UsageRow | null): string {
  if (!own) return 'This session: no calls yet.';
  return (
    `This session (${own.key}): ${own.requests} calls, ${own.prompt_tokens + own.completion_tokens} tokens, ` +
    `${formatUsd(own.cost_usd)}${own.errors + own.blocked > 0 ? `, ${own.errors} failed, ${own.blocked} refused` : ''}.`
  );
}

export function registerGetUsage(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'get_usage',
    {
      title: 'Show usage and cost',
      description:
        "Report recorded usage from the local ledger — requests, tokens and cost — since a point in time, grouped by model, tool, client, provider, source, status, session or day, what this session (the caller's own) has spent, plus each quota's state this period (used, limit, percent, forecast, when it resets; hard quotas refuse calls past the limit) and the CometAPI balance as last refreshed. Lets an agent watch its own budget. Makes no upstream call.",
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
        this_session: usageRowSchema
          .nullable()
          .describe("the caller's own session since `since` (key is its id); null when it has no calls yet"),
        balance: balanceStateSchema,
      },
      annotations: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
    },
    async (args) => {
      const now = (deps.clock ?? Date.now)();
      const tz = deps.config.timeZone;
      const options = { since: parseSince(args.since, now, tz), until: now + 1, by: args.by, timeZone: tz };
      const report = await deps.store.queries.usageReport(options);
      const session = deps.session ?? null;
      const own = args.by === 'session' ? report : await deps.store.queries.usageReport({ ...options, by: 'session' });
      const structured = {
        ...report,
        since: new Date(report.since).toISOString(),
        until: new Date(report.until).toISOString(),
        quotas: await readQuotaStates(deps.store, now, session),
        this_session: own.rows.find((row) => row.key === session) ?? null,
        balance: await readBalanceState(deps.store),
      };
      const balance = formatBalance(structured.balance, [], createTranslator('en'));
      const text = `${sessionLine(structured.this_session)}\n\n${formatUsageTable(report)}\n\n${formatQuotaLines(structured.quotas)}\n\n${balance}`;
      return { content: [{ type: 'text', text }], structuredContent: structured };
    },
  );
}
