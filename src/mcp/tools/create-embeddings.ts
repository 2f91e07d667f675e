import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { roughTokenCount } from '../../upstream/usage.js';
import { callContext, withLoopWarning, type ServerDeps } from '../deps.js';
import { usageOutput } from './chat.js';
import { formatUsd } from '../../usage-format.js';

const text = z.string().min(1, 'each input must be non-empty text').max(100_000);

export function registerCreateEmbeddings(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'create_embeddings',
    {
      title: 'Create embeddings',
      description:
        'Turn one text or a list of texts into embedding vectors with a CometAPI embedding model. The vectors are in the structured result; the text part is a short summary.',
      inputSchema: {
        input: z
          .union([text, z.array(text).min(1, '"input" list must not be empty').max(2048)])
          .describe('A text, or a list of up to 2048 texts.'),
        model: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .optional()
          .describe('e.g. text-embedding-3-small (default) or text-embedding-3-large'),
        dimensions: z
          .number()
          .int()
          .min(1)
          .max(8192)
          .optional()
          .describe('Shorter vectors, for models that support it.'),
      },
      outputSchema: {
        model: z.string(),
        dimensions: z.number(),
        vectors: z.array(z.array(z.number())),
        usage: usageOutput,
        cost_usd: z.number().nullable(),
        call_id: z.number(),
      },
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true },
    },
    async (args, extra) => {
      const ctx = callContext(server, deps, 'create_embeddings', args);
      const inputs = typeof args.input === 'string' ? [args.input] : args.input;
      const model = args.model ?? deps.config.models.embedding;
      const result = await deps.metering.run(ctx, {
        model,
        stream: false,
        estimate: { prompt_tokens: roughTokenCount(inputs), max_completion_tokens: 0, images: 0 },
        attempt: (client, attemptModel) =>
          client.embeddings({ model: attemptModel, input: inputs, dimensions: args.dimensions }, extra.signal),
      });
      const r = result.record;
      const vectors = result.value;
      const dims = vectors[0]?.length ?? 0;
      const structured = {
        model: r.model_used ?? model,
        dimensions: dims,
        vectors,
        usage: {
          prompt_tokens: r.prompt_tokens,
          completion_tokens: 0,
          total_tokens: r.prompt_tokens,
          estimated: r.usage_estimated,
        },
        cost_usd: result.costUsd,
        call_id: result.callId,
      };
      const preview =
        vectors[0]
          ?.slice(0, 4)
          .map((v) => v.toFixed(4))
          .join(', ') ?? '';
      const summary =
        `${vectors.length} embedding${vectors.length === 1 ? '' : 's'} of ${dims} dimensions from ${structured.model}` +
        ` · ${r.prompt_tokens} tokens · ${formatUsd(result.costUsd)}. First vector starts [${preview}, …]; ` +
        'the full vectors are in the structured result.';
      return withLoopWarning(ctx, { content: [{ type: 'text', text: summary }], structuredContent: structured });
    },
  );
}
