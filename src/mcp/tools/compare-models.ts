import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';
import { MeteredCallError, type MeteredResult } from '../../metering.js';
import type { ChatValue } from '../../upstream/client.js';
import { callContext, withLoopWarning, progressReporter, type ServerDeps } from '../deps.js';
import { buildMessages, chatInput, usageOutput } from './chat.js';
import { callFigures, chatOperation } from './chat-call.js';
import { formatUsd } from '../../usage-format.js';

const modelId = z.string().trim().min(1).max(200);

const resultOutput = z.object({
  model: z.string(),
  ok: z.boolean(),
  model_used: z.string().nullable(),
  provider: z.string().nullable(),
  text: z.string().nullable(),
  error: z.string().nullable(),
  finish_reason: z.string().nullable(),
  usage: usageOutput,
  cost_usd: z.number().nullable(),
  latency_ms: z.number().nullable(),
  ttft_ms: z.number().nullable(),
  retries: z.number(),
  call_id: z.number().nullable(),
});
type ModelResult = z.infer<typeof resultOutput>;

const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, estimated: false };

function succeeded(model: string, result: MeteredResult<ChatValue>): ModelResult {
  const { fallback_from: _none, ...figures } = callFigures(result.record, result.callId);
  return {
    model,
    ok: true,
    model_used: result.record.model_used,
    provider: result.record.provider,
    text: result.value.text,
    error: null,
    finish_reason: result.value.finishReason,
    ...figures,
  };
}

/** A failed model keeps its row's figures (latency, retries, call id) when it got as far as a row. */
function failed(model: string, error: unknown): ModelResult {
  const empty = { model, ok: false, model_used: null, text: null, error: errorMessage(error), finish_reason: null };
  if (!(error instanceof MeteredCallError)) {
    return {
      ...empty,
      provider: null,
      usage: NO_USAGE,
      cost_usd: null,
      latency_ms: null,
      ttft_ms: null,
      retries: 0,
      call_id: null,
    };
  }
  const { fallback_from: _none, ...figures } = callFigures(error.record, error.callId);
  return { ...empty, provider: error.record.provider, ...figures };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

/** A compact table first (some clients show the model only the first lines), then each answer. */
function render(results: readonly ModelResult[]): string {
  const rows = results.map((r) =>
    r.ok
      ? `| ${cell(r.model)} | ok | ${r.latency_ms} ms | ${r.ttft_ms ?? '–'} ms | ${r.usage.prompt_tokens}+${r.usage.completion_tokens}${r.usage.estimated ? ' (est.)' : ''} | ${formatUsd(r.cost_usd)} |`
      : `| ${cell(r.model)} | failed | ${r.latency_ms ?? '–'} ms | – | – | – |`,
  );
  const answers = results.map((r) =>
    r.ok ? `### ${r.model}\n${r.text ?? ''}` : `### ${r.model} (failed)\n${r.error ?? ''}`,
  );
  return [
    '| model | status | latency | TTFT | tokens in+out | cost |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...answers,
  ].join('\n');
}

export function registerCompareModels(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'compare_models',
    {
      title: 'Compare models side by side',
      description:
        'Send the same prompt to 2–6 models at once and get each answer with its latency, time to first token, tokens and cost side by side. ' +
        'Each model is its own metered call; one failing does not fail the others.',
      inputSchema: {
        prompt: chatInput.prompt,
        messages: chatInput.messages,
        system: chatInput.system,
        temperature: chatInput.temperature,
        max_tokens: chatInput.max_tokens,
        models: z
          .array(modelId)
          .min(2, 'give at least 2 models to compare')
          .max(6, 'compare at most 6 models at once')
          .refine((models) => new Set(models).size === models.length, 'each model may appear only once')
          .describe(
            'Model ids, e.g. ["gpt-4o-mini", "claude-sonnet-4-20250514", "gemini-2.5-flash"]. See list_models.',
          ),
      },
      outputSchema: {
        results: z.array(resultOutput),
        succeeded: z.number(),
        failed: z.number(),
        total_cost_usd: z.number().nullable(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const messages = buildMessages(args);
      const report = progressReporter(extra);
      const ctx = callContext(server, deps, 'compare_models', args);
      let done = 0;
      report(0, `asking ${args.models.length} models`, true);
      const settled = await Promise.allSettled(
        args.models.map(async (model) => {
          try {
            // An empty fallback list: a comparison must answer with the model it names, or fail.
            const op = chatOperation({
              model,
              messages,
              temperature: args.temperature,
              max_tokens: args.max_tokens,
              fallbackModels: [],
              signal: extra.signal,
            });
            return succeeded(model, await deps.metering.run(ctx, op));
          } finally {
            report(++done, `${done} of ${args.models.length} models answered`, true);
          }
        }),
      );
      const results = settled.map((s, i) =>
        s.status === 'fulfilled' ? s.value : failed(args.models[i] ?? '', s.reason),
      );
      const ok = results.filter((r) => r.ok);
      const priced = results.filter((r) => r.cost_usd !== null);
      const structured = {
        results,
        succeeded: ok.length,
        failed: results.length - ok.length,
        total_cost_usd: priced.length === 0 ? null : priced.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0),
      };
      return withLoopWarning(ctx, {
        content: [{ type: 'text', text: render(results) }],
        structuredContent: structured,
        isError: ok.length === 0,
      });
    },
  );
}
