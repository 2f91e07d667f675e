import OpenAI, { toFile } from 'openai';
import type { Attempt } from './client.js';
import { emptyUsage, usageFromWire } from './usage.js';

export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  format: 'mp3' | 'wav' | 'opus' | 'aac' | 'flac';
}

export interface SpeechAudio {
  data: Buffer;
  mimeType: string;
}

export interface TranscriptionRequest {
  model: string;
  audio: Buffer;
  filename: string;
  language?: string;
}

const MIME: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
};

/** Length of a PCM WAV file in seconds from its header, or null when it is not one. */
export function wavSeconds(data: Buffer): number | null {
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE')
    return null;
  const byteRate = data.readUInt32LE(28);
  return byteRate > 0 ? Math.max(0, data.length - 44) / byteRate : null;
}

type RunAttempt = <T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Speech and transcription, on the same `openai` instance and attempt wrapper as the rest of the client. */
export function createAudioMethods(openai: OpenAI, attempt: RunAttempt) {
  return {
    speech: (request: SpeechRequest, signal?: AbortSignal): Promise<Attempt<SpeechAudio>> =>
      attempt(signal, async (combined) => {
        const { data, response, request_id } = await openai.audio.speech
          .create(
            { model: request.model, input: request.input, voice: request.voice, response_format: request.format },
            { signal: combined },
          )
          .withResponse();
        const audio = Buffer.from(await data.arrayBuffer());
        // Trust what the bytes say over what was asked: some upstreams answer WAV whatever the format.
        const declared = data.headers.get('content-type')?.split(';')[0];
        const mimeType = declared?.startsWith('audio/')
          ? declared
          : (MIME[request.format] ?? 'application/octet-stream');
        const usage = { ...emptyUsage(), characters: request.input.length };
        return {
          value: { data: audio, mimeType },
          modelUsed: request.model,
          usage,
          ttftMs: null,
          requestId: request_id,
          httpStatus: response.status,
        };
      }),

    transcription: (request: TranscriptionRequest, signal?: AbortSignal): Promise<Attempt<string>> =>
      attempt(signal, async (combined) => {
        const file = await toFile(request.audio, request.filename);
        const { data, response, request_id } = await openai.audio.transcriptions
          .create(
            { model: request.model, file, ...(request.language ? { language: request.language } : {}) },
            { signal: combined },
          )
          .withResponse();
        // Billed by duration: the upstream says how long (usage.seconds); else read it from a WAV header.
        const usage = data.usage ? usageFromWire(data.usage) : emptyUsage();
        if (!usage.audio_seconds) {
          const seconds = wavSeconds(request.audio);
          if (seconds !== null) Object.assign(usage, { audio_seconds: seconds, estimated: true });
        }
        return {
          value: data.text,
          modelUsed: request.model,
          usage,
          ttftMs: null,
          requestId: request_id,
          httpStatus: response.status,
        };
      }),
  };
}
