import fs from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BadInputError } from '../../errors.js';
import type { GeneratedImage } from '../../upstream/client.js';
import { callContext, withLoopWarning, progressReporter, withHeartbeat, type ServerDeps } from '../deps.js';
import { inlineImage } from '../inline-image.js';
import { formatUsd } from '../../usage-format.js';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

async function saveImages(dir: string, images: GeneratedImage[], callId: number): Promise<string[]> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new BadInputError(
      `cannot create folder "${dir}" for the images: ${(error as NodeJS.ErrnoException).code ?? String(error)}; pass another "save_to"`,
    );
  }
  return Promise.all(
    images.map(async (image, i) => {
      const file = path.join(dir, `image-${callId}-${i + 1}.${EXTENSIONS[image.mimeType] ?? 'bin'}`);
      await fs.writeFile(file, image.data);
      return file;
    }),
  );
}

export function registerGenerateImage(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'generate_image',
    {
      title: 'Generate an image',
      description:
        'Create images from a text prompt with a CometAPI image model (dall-e-3, gpt-image-1, …). Returns the images inline and saves full-size copies to disk. Can take a while: it sends progress notifications.',
      inputSchema: {
        prompt: z.string().trim().min(1, '"prompt" must describe the image').max(32_000),
        model: z.string().trim().min(1).max(200).optional(),
        size: z
          .string()
          .regex(/^(\d{2,5}x\d{2,5}|auto)$/, '"size" looks like 1024x1024')
          .optional(),
        n: z.number().int().min(1, '"n" must be at least 1').max(4, '"n" can be at most 4 images per call').default(1),
        save_to: z
          .string()
          .min(1)
          .optional()
          .describe("Folder to save the images in (default: the data folder's images/)."),
      },
      outputSchema: {
        model: z.string(),
        images: z.array(
          z.object({
            path: z.string(),
            mime_type: z.string(),
            bytes: z.number(),
            inline: z.boolean(),
            downscaled: z.boolean(),
            revised_prompt: z.string().nullable(),
          }),
        ),
        cost_usd: z.number().nullable(),
        latency_ms: z.number(),
        call_id: z.number(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const ctx = callContext(server, deps, 'generate_image', args);
      const model = args.model ?? deps.config.models.image;
      const report = progressReporter(extra);
      const result = await withHeartbeat(report, `generating ${args.n} image(s) with ${model}`, () =>
        deps.metering.run(ctx, {
          model,
          stream: false,
          estimate: { prompt_tokens: 0, max_completion_tokens: 0, images: args.n },
          attempt: (client, attemptModel) =>
            client.images({ model: attemptModel, prompt: args.prompt, n: args.n, size: args.size }, extra.signal),
        }),
      );
      const images = result.value;
      const paths = await saveImages(args.save_to ?? path.join(deps.config.dataDir, 'images'), images, result.callId);
      const inline = await Promise.all(images.map((image) => inlineImage(image.data, image.mimeType)));
      const structured = {
        model: result.record.model_used ?? model,
        images: images.map((image, i) => ({
          path: paths[i] ?? '',
          mime_type: image.mimeType,
          bytes: image.data.length,
          inline: inline[i] !== null,
          downscaled: inline[i]?.downscaled ?? false,
          revised_prompt: image.revisedPrompt,
        })),
        cost_usd: result.costUsd,
        latency_ms: result.record.duration_ms ?? 0,
        call_id: result.callId,
      };
      const summary =
        `Generated ${images.length} image${images.length === 1 ? '' : 's'} with ${structured.model} in ${structured.latency_ms} ms ` +
        `(${formatUsd(result.costUsd)}). Saved to: ${paths.join(', ')}` +
        (structured.images.some((i) => i.downscaled)
          ? '. Shown downscaled to stay under 1 MB; the saved files are full size.'
          : '') +
        (structured.images.some((i) => !i.inline)
          ? '. Some images could not be made small enough to show; open the saved file.'
          : '');
      // The summary goes first: some clients pass only the first content item to the model.
      return withLoopWarning(ctx, {
        content: [
          { type: 'text' as const, text: summary },
          ...inline
            .filter((image) => image !== null)
            .map((image) => ({
              type: 'image' as const,
              data: image.data.toString('base64'),
              mimeType: image.mimeType,
            })),
        ],
        structuredContent: structured,
      });
    },
  );
}
