/**
 * Read-only MCP resources: usage from the ledger, the upstream's model list with prices, and
 * quota state. Clients that show resources (or attach them to a chat) get the same figures the
 * get_usage and list_models tools give, without a tool call. Template variables complete, so a
 * client can offer "cometapi://models/gpt-4…" as the user types.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { readQuotaStates } from '../quotas/report.js';
import { parseSince } from '../time.js';
import type { ServerDeps } from './deps.js';

export const USAGE_PERIODS = ['today', 'week', 'month', 'all', '24h', '7d', '30d'] as const;
const MAX_COMPLETIONS = 100;

const json = (uri: string, value: unknown) => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

/** Values of `options` that start with what the user typed (case-insensitive), as many as a client can show. */
export function completeFrom(options: readonly string[], typed: string): string[] {
  const prefix = typed.toLowerCase();
  return options.filter((o) => o.toLowerCase().startsWith(prefix)).slice(0, MAX_COMPLETIONS);
}

/** Model ids for completion; an unreachable upstream just means no suggestions. */
export async function modelIds(deps: ServerDeps, kind?: string): Promise<string[]> {
  const entries = await deps.catalog.list().catch(() => []);
  return entries.filter((e) => kind === undefined || e.kind === kind).map((e) => e.id);
}

/** Usage by model since `period` (today, week, 24h, a date...), as the usage resources show it. */
export async function usageSnapshot(deps: ServerDeps, period: string) {
  const at = (deps.clock ?? Date.now)();
  const tz = deps.config.timeZone;
  const report = await deps.store.queries.usageReport({
    since: parseSince(period, at, tz),
    until: at + 1,
    by: 'model',
    timeZone: tz,
  });
  return {
    period,
    ...report,
    since: new Date(report.since).toISOString(),
    until: new Date(report.until).toISOString(),
  };
}

export function registerResources(server: McpServer, deps: ServerDeps): void {
  const now = () => (deps.clock ?? Date.now)();
  const usage = (period: string) => usageSnapshot(deps, period);

  server.registerResource(
    'usage-today',
    'cometapi://usage/today',
    {
      title: "Today's usage",
      description: 'Requests, tokens and cost recorded today (in the configured time zone), by model.',
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await usage('today')),
  );
  server.registerResource(
    'usage',
    new ResourceTemplate('cometapi://usage/{period}', {
      list: undefined,
      complete: { period: (typed) => completeFrom(USAGE_PERIODS, typed) },
    }),
    {
      title: 'Usage for a period',
      description: 'Usage by model since today, week, month, all, a duration such as 24h, or a date (YYYY-MM-DD).',
      mimeType: 'application/json',
    },
    async (uri, { period }) => json(uri.href, await usage(String(period))),
  );
  server.registerResource(
    'models',
    'cometapi://models',
    {
      title: 'Models',
      description: "The upstream's model list with known prices per million tokens (cached for 5 minutes).",
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await deps.catalog.list()),
  );
  server.registerResource(
    'model',
    new ResourceTemplate('cometapi://models/{id}', {
      list: undefined,
      complete: { id: async (typed) => completeFrom(await modelIds(deps), typed) },
    }),
    { title: 'One model', description: 'A model by id, with its kind and price.', mimeType: 'application/json' },
    async (uri, { id }) => {
      const entry = (await deps.catalog.list()).find((e) => e.id === String(id));
      return json(
        uri.href,
        entry ?? { id: String(id), error: 'not in the upstream model list; read cometapi://models for the ids' },
      );
    },
  );
  server.registerResource(
    'quotas',
    'cometapi://quotas',
    {
      title: 'Quotas',
      description: "Each quota's use this period: used, limit, percent, forecast and when it resets.",
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await readQuotaStates(deps.store, now())),
  );
}
