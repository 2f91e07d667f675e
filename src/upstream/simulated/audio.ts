import {
  SimHttpError,
  invalidType,
  jsonResponse,
  missing,
  optionalEnum,
  requireModel,
  requireString,
} from './protocol.js';
import type { Handler } from './runtime.js';
import { toneWav } from './media.js';

const MAX_SPEECH_INPUT = 4096;
/** Speech length grows with the text but stays small: 0.25 s + 40 ms per character, at most 5 s (80 kB). */
const speechSeconds = (chars: number): number => Math.min(5, 0.25 + chars * 0.04);

export const handleSpeech: Handler = (_c, body, rt, req) => {
  requireModel(rt.models, body.model, 'audio-speech');
  const input = requireString(body, 'input');
  if (input.length > MAX_SPEECH_INPUT)
    throw new SimHttpError(
      400,
      `'input' is too long: at most ${MAX_SPEECH_INPUT} characters.`,
      'input',
      'string_above_max_length',
    );
  requireString(body, 'voice');
  // Any requested format is accepted, but the body is always WAV and says so in content-type.
  optionalEnum(body, 'response_format', ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const);
  const wav = toneWav(speechSeconds(input.length));
  return {
    response: new Response(wav, {
      status: 200,
      headers: { 'content-type': 'audio/wav', 'content-length': String(wav.length), 'x-request-id': req.requestId },
    }),
    usage: null,
  };
};

export const handleTranscription: Handler = (_c, body, rt, req) => {
  requireModel(rt.models, body.model, 'audio-transcription');
  const file = body.file;
  if (file === undefined || file === null) throw missing('file');
  if (!(file instanceof Blob)) throw invalidType('file', 'an uploaded file', file);
  const format =
    optionalEnum(body, 'response_format', ['json', 'text', 'verbose_json', 'srt', 'vtt'] as const) ?? 'json';
  const text = `Simulated transcription of ${file.size} bytes of audio.`;
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    return {
      response: new Response(text, {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': req.requestId },
      }),
      usage: null,
    };
  }
  // 16 kB/s is 8 kHz 16-bit mono, the format our own speech endpoint produces.
  const seconds = Math.max(1, Math.ceil(file.size / 16000));
  const payload = req.omitUsage ? { text } : { text, usage: { type: 'duration', seconds } };
  return { response: jsonResponse(200, JSON.stringify(payload), req.requestId), usage: null };
};
