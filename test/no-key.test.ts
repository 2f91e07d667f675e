import { afterEach, beforeEach, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from './helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ key: null });
});
afterEach(async () => {
  await h.close();
});

it('lists every tool without a key, and each call explains how to set COMETAPI_KEY', async () => {
  const { tools } = await h.client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([
    'chat',
    'compare_models',
    'create_embeddings',
    'generate_image',
    'get_usage',
    'list_models',
    'refresh_usage_view',
    'show_usage',
    'text_to_speech',
    'transcribe_audio',
  ]);
  for (const tool of tools) {
    expect(tool.title).toBeTruthy();
    expect(tool.outputSchema).toBeTruthy();
    expect(tool.annotations).toBeTruthy();
  }
  const calls: [string, Record<string, unknown>][] = [
    ['chat', { prompt: 'x' }],
    ['generate_image', { prompt: 'x' }],
    ['create_embeddings', { input: 'x' }],
    ['list_models', {}],
    ['text_to_speech', { text: 'x' }],
  ];
  for (const [name, args] of calls) {
    const result = await h.call(name, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('COMETAPI_KEY is not set');
  }
  expect(h.sim.requests).toBe(0);
  expect(await h.runtime.store.calls.count()).toBe(0);
  // Usage needs no key: it reads the local ledger.
  expect((await h.call('get_usage', {})).isError).toBeFalsy();
  expect((await h.call('show_usage', {})).isError).toBeFalsy();
});
