import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MissingKeyError } from '../../errors.js';
import type { ServerDeps } from '../deps.js';

const KINDS = ['chat', 'image', 'embedding', 'audio', 'other', 'all'] as const;

export function registerListModels(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'list_models',
    {
      title: 'List CometAPI models',
      description:
        'List the models your CometAPI key can use (and those of any providers added in the config file, as provider/model), with their known prices per million tokens. Filter by a name fragment or by kind.',
      inputSchema: {
        filter: z
          .string()
          .max(200)
          .optional()
          .describe('Case-insensitive part of the model id, e.g. "claude" or "4o".'),
        kind: z.enum(KINDS).default('all').describe('chat, image, embedding, audio, other or all'),
        limit: z.number().int().min(1).max(1000).default(200),
      },
      outputSchema: {
        total: z.number(),
        models: z.array(
          z.object({
            id: z.string(),
            kind: z.string(),
            provider: z.string(),
            owned_by: z.string().nullable(),
            input_usd_per_mtok: z.number().nullable(),
            output_usd_per_mtok: z.number().nullable(),
            usd_per_image: z.number().nullable(),
          }),
        ),
      },
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true },
    },
    async (args, extra) => {
      if (!deps.metering.hasUpstream) throw new MissingKeyError();
      const needle = args.filter?.trim().toLowerCase() ?? '';
      const all = (await deps.catalog.list(extra.signal)).filter(
        (m) => (args.kind === 'all' || m.kind === args.kind) && m.id.toLowerCase().includes(needle),
      );
      const models = all.slice(0, args.limit).map((m) => ({
        id: m.id,
        kind: m.kind,
        provider: m.provider,
        owned_by: m.owned_by,
        input_usd_per_mtok: m.price?.input_per_mtok ?? null,
        output_usd_per_mtok: m.price?.output_per_mtok ?? null,
        usd_per_image: m.price?.per_image ?? null,
      }));
      const lines = models.map((m) => {
        const price =
          m.input_usd_per_mtok !== null
            ? ` — $${m.input_usd_per_mtok}/$${m.output_usd_per_mtok ?? 0} per 1M in/out`
            : m.usd_per_image !== null
              ? ` — $${m.usd_per_image}/image`
              : '';
        return `${m.id} (${m.kind})${price}`;
      });
      const head =
        `${all.length} model${all.length === 1 ? '' : 's'}${needle ? ` matching "${needle}"` : ''}${args.kind !== 'all' ? ` of kind ${args.kind}` : ''}` +
        (all.length > models.length ? `, showing ${models.length}` : '');
      return {
        content: [{ type: 'text', text: [head + ':', ...lines].join('\n') }],
        structuredContent: { total: all.length, models },
      };
    },
  );
}
