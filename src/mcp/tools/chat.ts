import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BadInputError } from '../../errors.js';
import type { ChatMessage } from '../../upstream/client.js';
import { callContext, withLoopWarning, progressReporter, type ServerDeps } from '../deps.js';
import { callFigures, chatOperation } from './chat-call.js';
import { formatUsd } from '../../usage-format.js';

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().min(1, 'each message needs non-empty "content"'),
});

export const chatInput = {
  prompt: z
    .string()
    .trim()
    .min(1, '"prompt" must not be empty')
    .max(1_000_000)
    .optional()
    .describe('The user message. Give this or "messages".'),
  messages: z.array(messageSchema).min(1).max(1000).optional().describe('A whole conversation instead of "prompt".'),
  model: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Any CometAPI model id, e.g. gpt-4o-mini, claude-sonnet-4-20250514, gemini-2.5-flash. See list_models.'),
  system: z.string().max(200_000).optional().describe('A system prompt placed before the conversation.'),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional().describe('Upper bound on the answer length in tokens.'),
  fallback_models: z
    .array(z.string().trim().min(1))
    .max(5)
    .optional()
    .describe('Models to try in order if the main one is unavailable or keeps failing.'),
};

export const usageOutput = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  estimated: z.boolean(),
});

export const chatOutput = {
  model: z.string(),
  text: z.string(),
  finish_reason: z.string().nullable(),
  usage: usageOutput,
  cost_usd: z.number().nullable(),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  retries: z.number(),
  fallback_from: z.string().nullable(),
  call_id: z.number(),
};

export function buildMessages(args: { prompt?: string; messages?: ChatMessage[]; system?: string }): ChatMessage[] {
  if (args.prompt !== undefined && args.messages !== undefined) {
    throw new BadInputError('give either "prompt" or "messages", not both');
  }
  const conversation =
    args.messages ?? (args.prompt !== undefined ? [{ role: 'user' as const, content: args.prompt }] : null);
  if (!conversation) throw new BadInputError('"prompt" is required: the message to send (or pass "messages")');
  return args.system ? [{ role: 'system', content: args.system }, ...conversation] : conversation;
}

export function registerChat(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'chat',
    {
      title: 'Chat with a CometAPI model',
      description:
        "Send a prompt (or a conversation) to any of CometAPI's 500+ chat models and get the answer, with the tokens, cost, latency and time to first token it took. Every call is recorded in the usage ledger.",
      inputSchema: chatInput,
      outputSchema: chatOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const ctx = callContext(server, deps, 'chat', args);
      const messages = buildMessages(args);
      const model = args.model ?? deps.config.models.chat;
      const report = progressReporter(extra);
      let received = 0;
      const result = await deps.metering.run(
        ctx,
        chatOperation({
          model,
          messages,
          temperature: args.temperature,
          max_tokens: args.max_tokens,
          fallbackModels: args.fallback_models,
          signal: extra.signal,
          onDelta: (from) => report(++received, `${received} tokens from ${from}`),
        }),
      );
      const r = result.record;
      const structured = {
        model: r.model_used ?? model,
        text: result.value.text,
        finish_reason: result.value.finishReason,
        ...callFigures(r, result.callId),
      };
      const meta =
        `— ${structured.model} · ${r.prompt_tokens}+${r.completion_tokens} tokens${r.usage_estimated ? ' (estimated)' : ''}` +
        ` · ${formatUsd(result.costUsd)} · ${structured.latency_ms} ms` +
        (r.fallback_from ? ` · fell back from ${r.fallback_from}` : '');
      // The answer comes first: some clients hand the model only the first content item.
      return withLoopWarning(ctx, {
        content: [{ type: 'text', text: `${structured.text}\n\n${meta}` }],
        structuredContent: structured,
      });
    },
  );
}
