import fs from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { callContext, withLoopWarning, type ServerDeps } from '../deps.js';
import { formatUsd } from '../../usage-format.js';

const FORMATS = ['mp3', 'wav', 'opus', 'aac', 'flac'] as const;
const EXTENSION: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/ogg': 'opus',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
};

export function registerTextToSpeech(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'text_to_speech',
    {
      title: 'Text to speech',
      description:
        'Read a text aloud with a CometAPI speech model (tts-1 by default). Returns the audio inline and saves it to a file. Billed per character.',
      inputSchema: {
        text: z
          .string()
          .trim()
          .min(1, '"text" must not be empty')
          .max(4096, '"text" can be at most 4096 characters per call'),
        model: z.string().trim().min(1).max(200).optional(),
        voice: z
          .string()
          .trim()
          .min(1)
          .max(50)
          .default('alloy')
          .describe('e.g. alloy, echo, fable, onyx, nova, shimmer'),
        format: z.enum(FORMATS).default('mp3'),
        save_to: z
          .string()
          .min(1)
          .optional()
          .describe("Folder to save the audio in (default: the data folder's audio/)."),
      },
      outputSchema: {
        model: z.string(),
        path: z.string(),
        mime_type: z.string(),
        bytes: z.number(),
        characters: z.number(),
        cost_usd: z.number().nullable(),
        latency_ms: z.number(),
        call_id: z.number(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const ctx = callContext(server, deps, 'text_to_speech', args);
      const model = args.model ?? deps.config.models.speech;
      const result = await deps.metering.run(ctx, {
        model,
        stream: false,
        estimate: { prompt_tokens: 0, max_completion_tokens: 0, images: 0, characters: args.text.length },
        attempt: (client, attemptModel) =>
          client.speech(
            { model: attemptModel, input: args.text, voice: args.voice, format: args.format },
            extra.signal,
          ),
      });
      const audio = result.value;
      const dir = args.save_to ?? path.join(deps.config.dataDir, 'audio');
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, `speech-${result.callId}.${EXTENSION[audio.mimeType] ?? args.format}`);
      await fs.writeFile(file, audio.data);
      const structured = {
        model: result.record.model_used ?? model,
        path: file,
        mime_type: audio.mimeType,
        bytes: audio.data.length,
        characters: args.text.length,
        cost_usd: result.costUsd,
        latency_ms: result.record.duration_ms ?? 0,
        call_id: result.callId,
      };
      const summary = `Spoke ${structured.characters} characters with ${structured.model} (${args.voice}) in ${structured.latency_ms} ms (${formatUsd(result.costUsd)}). Saved to: ${file}`;
      return withLoopWarning(ctx, {
        content: [
          { type: 'text', text: summary },
          { type: 'audio', data: audio.data.toString('base64'), mimeType: audio.mimeType },
        ],
        structuredContent: structured,
      });
    },
  );
}
