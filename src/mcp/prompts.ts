/**
 * MCP prompts: ready-made workflows a client offers as slash commands. The pipeline one is the
 * articles' "summary → sentiment analysis → image generation" chain, done with this server's own
 * tools so every step is metered. Model and style arguments complete from real choices.
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ServerDeps } from './deps.js';
import { readQuotaStates } from '../quotas/report.js';
import { completeFrom, modelIds, usageSnapshot, USAGE_PERIODS } from './resources.js';

export const ILLUSTRATION_STYLES = [
  'watercolor',
  'photograph',
  'line art',
  'flat vector',
  'oil painting',
  'pixel art',
  'isometric 3D',
  'ink sketch',
] as const;

export function registerPrompts(server: McpServer, deps: ServerDeps): void {
  const { models } = deps.config;

  server.registerPrompt(
    'summarize_sentiment_illustrate',
    {
      title: 'Summarise → sentiment → illustrate',
      description:
        'Summarises a text, judges its sentiment, then generates a fitting illustration: three metered tool calls in one workflow.',
      argsSchema: {
        text: z.string().describe('The text to work on (an article, a review, meeting notes)'),
        chat_model: completable(
          z.string().optional().describe(`Model for the summary and sentiment (default ${models.chat})`),
          async (typed) => completeFrom(await modelIds(deps, 'chat'), typed ?? ''),
        ),
        image_model: completable(
          z.string().optional().describe(`Model for the picture (default ${models.image})`),
          async (typed) => completeFrom(await modelIds(deps, 'image'), typed ?? ''),
        ),
        style: completable(z.string().optional().describe('Illustration style, e.g. watercolor'), (typed) =>
          completeFrom(ILLUSTRATION_STYLES, typed ?? ''),
        ),
      },
    },
    ({ text, chat_model, image_model, style }) => {
      const chatModel = chat_model || models.chat;
      const imageModel = image_model || models.image;
      const look = style || ILLUSTRATION_STYLES[0];
      return {
        description: 'A three-step pipeline using the chat and generate_image tools',
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                'Work through these three steps with the cometapi tools, one call each, and show each result:\n' +
                `1. Call \`chat\` with model "${chatModel}" to summarise the text below in at most three sentences.\n` +
                `2. Call \`chat\` with model "${chatModel}" to classify the sentiment of that summary as positive, neutral or negative, with one sentence of reasons.\n` +
                `3. Call \`generate_image\` with model "${imageModel}" and a prompt for a ${look} illustration that captures the summary and its mood.\n` +
                'Finish with the summary, the sentiment and the image.\n\n' +
                `Text:\n"""\n${text}\n"""`,
            },
          },
        ],
      };
    },
  );

  server.registerPrompt(
    'review_usage',
    {
      title: 'Review usage and budget',
      description:
        'Embeds recorded usage for a period and asks for a short review: what cost most, errors, and how close each quota is.',
      argsSchema: {
        period: completable(
          z.string().optional().describe('today, week, month, all, 24h, 7d (default today)'),
          (typed) => completeFrom(USAGE_PERIODS, typed ?? ''),
        ),
      },
    },
    async ({ period }) => {
      const since = period || 'today';
      // Embedded, not linked: some clients never fetch resource links.
      const embed = (uri: string, value: unknown) => ({
        role: 'user' as const,
        content: {
          type: 'resource' as const,
          resource: { uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) },
        },
      });
      return {
        messages: [
          embed(`cometapi://usage/${since}`, await usageSnapshot(deps, since)),
          embed('cometapi://quotas', await readQuotaStates(deps.store, (deps.clock ?? Date.now)())),
          {
            role: 'user',
            content: {
              type: 'text',
              text: 'Review the usage and quotas attached above: which models and clients cost most, any errors or blocked calls, and how close each quota is to its limit. Suggest one concrete saving. Keep it under ten lines.',
            },
          },
        ],
      };
    },
  );
}
