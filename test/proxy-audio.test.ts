import { toFile } from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness();
});
afterAll(async () => h.close());

const lastRow = async () => (await allCalls(h.runtime.store)).at(-1);

it('meters speech through /v1 by its input characters, and transcription by the seconds the upstream reports', async () => {
  const input = 'Metered speech through the proxy.';
  const speech = await h
    .openai()
    .audio.speech.create({ model: 'tts-1', input, voice: 'alloy', response_format: 'wav' });
  const wav = Buffer.from(await speech.arrayBuffer());
  expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
  expect(await lastRow()).toMatchObject({
    tool: '/v1/audio/speech',
    status: 'ok',
    input_chars: input.length,
    cost_nano_usd: input.length * 15_000,
  });

  const text = await h
    .openai()
    .audio.transcriptions.create({ model: 'whisper-1', file: await toFile(wav, 'speech.wav') });
  expect(text.text).toContain('Simulated transcription');
  const seconds = Math.max(1, Math.ceil(wav.length / 16000)); // what the simulator reports as usage.seconds
  expect(await lastRow()).toMatchObject({
    tool: '/v1/audio/transcriptions',
    status: 'ok',
    audio_seconds: seconds,
    cost_nano_usd: Math.round((seconds / 60) * 6_000_000),
  });
});
