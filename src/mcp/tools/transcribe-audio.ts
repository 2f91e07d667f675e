import fs from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BadInputError } from '../../errors.js';
import { callContext, withLoopWarning, type ServerDeps } from '../deps.js';
import { formatUsd } from '../../usage-format.js';

/** What the transcription endpoint accepts; other files are refused so no other kind of file is uploaded. */
const AUDIO_EXTENSIONS = ['.mp3', '.mp4', '.mpeg', '.mpga', '.m4a', '.wav', '.webm', '.ogg', '.flac'];
const MAX_BYTES = 25 * 1024 * 1024;

async function readAudio(file: string): Promise<Buffer> {
  if (!path.isAbsolute(file))
    throw new BadInputError(`"path" must be an absolute path to an audio file (got "${file}")`);
  if (!AUDIO_EXTENSIONS.includes(path.extname(file).toLowerCase())) {
    throw new BadInputError(
      `"path" must be an audio file (${AUDIO_EXTENSIONS.join(', ')}); got "${path.basename(file)}"`,
    );
  }
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new BadInputError(`no audio file at "${file}"`);
  if (stat.size > MAX_BYTES)
    throw new BadInputError(
      `"${path.basename(file)}" is ${(stat.size / 2 ** 20).toFixed(1)} MB; the upstream accepts at most 25 MB: split or compress it`,
    );
  return fs.readFile(file);
}

export function registerTranscribeAudio(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    'transcribe_audio',
    {
      title: 'Transcribe audio',
      description:
        'Turn speech in a local audio file into text with a CometAPI transcription model (whisper-1 by default). The file is uploaded to CometAPI. Billed per minute of audio.',
      inputSchema: {
        path: z.string().min(1).describe('Absolute path of an mp3, m4a, wav, webm, ogg or flac file, up to 25 MB.'),
        model: z.string().trim().min(1).max(200).optional(),
        language: z
          .string()
          .regex(/^[a-z]{2}$/, '"language" is a two-letter ISO-639-1 code such as en or de')
          .optional(),
      },
      outputSchema: {
        model: z.string(),
        text: z.string(),
        audio_seconds: z.number().nullable(),
        cost_usd: z.number().nullable(),
        latency_ms: z.number(),
        call_id: z.number(),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra) => {
      const ctx = callContext(server, deps, 'transcribe_audio', args);
      const audio = await readAudio(args.path);
      const model = args.model ?? deps.config.models.transcription;
      const result = await deps.metering.run(ctx, {
        model,
        stream: false,
        estimate: { prompt_tokens: 0, max_completion_tokens: 0, images: 0 },
        attempt: (client, attemptModel) =>
          client.transcription(
            { model: attemptModel, audio, filename: path.basename(args.path), language: args.language },
            extra.signal,
          ),
      });
      const r = result.record;
      const structured = {
        model: r.model_used ?? model,
        text: result.value,
        audio_seconds: r.audio_seconds ?? null,
        cost_usd: result.costUsd,
        latency_ms: r.duration_ms ?? 0,
        call_id: result.callId,
      };
      const length =
        structured.audio_seconds === null
          ? 'audio of unknown length'
          : `${structured.audio_seconds.toFixed(1)} s of audio`;
      const meta = `— ${structured.model} · ${length} · ${formatUsd(result.costUsd)} · ${structured.latency_ms} ms`;
      return withLoopWarning(ctx, {
        content: [{ type: 'text', text: `${structured.text}\n\n${meta}` }],
        structuredContent: structured,
      });
    },
  );
}
