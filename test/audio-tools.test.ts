import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wavSeconds } from '../src/upstream/audio.js';
import { startHarness, textOf, type Harness } from './helpers/harness.js';
import { allCalls } from './helpers/ledger.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ clientName: 'Cherry Studio' });
});
afterEach(async () => {
  await h.close();
});

describe('text_to_speech', () => {
  it('returns audio the client can play, saves it, and bills the characters', async () => {
    const text = 'Hello from the ledger, spoken aloud.';
    const result = await h.call('text_to_speech', { text, voice: 'nova', format: 'wav' });
    expect(result.isError).toBeFalsy();
    expect(result.content[0]?.type).toBe('text');
    const audio = result.content.find((c) => c.type === 'audio');
    if (!audio || audio.type !== 'audio') throw new Error('no audio content');
    expect(audio.mimeType).toBe('audio/wav');
    const bytes = Buffer.from(audio.data, 'base64');
    expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
    const s = result.structuredContent as { path: string; characters: number; bytes: number };
    expect(fs.readFileSync(s.path).equals(bytes)).toBe(true);
    expect(s.characters).toBe(text.length);
    // tts-1: $15 per million characters = 15,000 nano-USD a character.
    expect((await allCalls(h.runtime.store))[0]).toMatchObject({
      tool: 'text_to_speech',
      model_used: 'tts-1',
      input_chars: text.length,
      cost_nano_usd: text.length * 15_000,
      status: 'ok',
    });
  });

  it('refuses empty and over-long text without calling the upstream', async () => {
    expect(textOf(await h.call('text_to_speech', { text: '  ' }))).toContain('"text" must not be empty');
    expect(textOf(await h.call('text_to_speech', { text: 'x'.repeat(5000) }))).toContain('at most 4096 characters');
    expect(h.sim.requests).toBe(0);
  });
});

describe('transcribe_audio', () => {
  it('transcribes a local file and bills its minutes as the upstream reports them', async () => {
    const spoken = await h.call('text_to_speech', { text: 'one two three four five six seven', format: 'wav' });
    const file = (spoken.structuredContent as { path: string }).path;
    const result = await h.call('transcribe_audio', { path: file, language: 'en' });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('Simulated transcription of');
    const seconds = Math.max(1, Math.ceil(fs.statSync(file).size / 16000)); // what the simulator reports
    const row = (await allCalls(h.runtime.store)).find((r) => r.tool === 'transcribe_audio');
    expect(row).toMatchObject({
      model_used: 'whisper-1',
      audio_seconds: seconds,
      usage_estimated: 0,
      cost_nano_usd: Math.round((seconds / 60) * 0.006 * 1e9),
    });
    expect((result.structuredContent as { audio_seconds: number }).audio_seconds).toBe(seconds);
  });

  it.each([
    ['relative/clip.wav', 'absolute path'],
    ['/etc/passwd', 'must be an audio file'],
    ['/nonexistent/clip.mp3', 'no audio file at'],
  ])('refuses %s with a clear error and uploads nothing', async (file, message) => {
    const result = await h.call('transcribe_audio', { path: file });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(message);
    expect(h.sim.requests).toBe(0);
  });
});

it('reads the length of a PCM WAV from its header', () => {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.write('WAVE', 8, 'latin1');
  header.writeUInt32LE(16_000, 28); // byte rate: 8 kHz, 16-bit mono
  expect(wavSeconds(Buffer.concat([header, Buffer.alloc(32_000)]))).toBe(2);
  expect(wavSeconds(Buffer.from('not a wav file at all, just some text here....'))).toBeNull();
});
