import { describe, expect, it } from 'vitest';
import { createChatStreamReader, createSseScanner } from '../src/sidecar/proxy/sse.js';

const event = (json: object) => `data: ${JSON.stringify(json)}\n\n`;
const chunk = (delta: object, usage: boolean) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...(usage ? { usage: null } : {}),
});
const usage = {
  prompt_tokens: 12,
  completion_tokens: 3,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 4 },
};

function stream(withUsage: boolean): { events: string[]; usageEvent: string } {
  const usageEvent = event({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage,
  });
  const events = [
    event(chunk({ role: 'assistant', content: '' }, withUsage)),
    event(chunk({ content: 'Hé "quoted"' }, withUsage)),
    event(chunk({ content: ' there' }, withUsage)),
    event({ ...chunk({}, withUsage), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    ...(withUsage ? [usageEvent] : []),
    'data: [DONE]\n\n',
  ];
  return { events, usageEvent };
}

/** Feeds `text` to a scanner cut into pieces at `cuts`, returning what it passes on. */
function run(text: string, cuts: number[], dropAddedUsage: boolean) {
  let t = 0;
  const scanner = createSseScanner(createChatStreamReader({ started: 0, now: () => ++t, dropAddedUsage }));
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = scanner.push(bytes.subarray(from, cut));
    if (piece) out.push(piece);
    from = cut;
  }
  const rest = scanner.flush();
  if (rest) out.push(rest);
  return { out: Buffer.concat(out).toString('utf8'), seen: scanner.observed };
}

describe('SSE scanner', () => {
  const { events, usageEvent } = stream(true);
  const text = events.join('');

  it('holds back the usage-only event it asked for, wherever the chunks are cut', () => {
    const size = Buffer.byteLength(text);
    for (let cut = 1; cut < size; cut += 7) {
      const { out, seen } = run(text, [cut, Math.min(size, cut + 3)], true);
      expect(out).toBe(text.replace(usageEvent, ''));
      expect(seen.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, cached_tokens: 4, estimated: false });
      expect(seen.model).toBe('gpt-4o-mini-2024-07-18');
    }
  });

  it('passes every byte through unchanged when the client asked for usage itself', () => {
    const { out, seen } = run(text, [5, 50, 51, 300], false);
    expect(out).toBe(text);
    expect(seen.usage?.completion_tokens).toBe(3);
  });

  it('times the first event with content, not the role event, and keeps the text when no usage comes', () => {
    const plain = stream(false).events;
    let clock = 0;
    const scanner = createSseScanner(createChatStreamReader({ started: 0, now: () => clock, dropAddedUsage: true }));
    // one event per chunk, the clock reading the event's index: the role event (empty content) is index 0
    const out = plain.map((e, i) => ((clock = i), scanner.push(Buffer.from(e))?.toString('utf8') ?? '')).join('');
    expect(out).toBe(plain.join(''));
    expect(scanner.observed.usage).toBeNull();
    expect(scanner.observed.text).toBe('Hé "quoted" there');
    expect(scanner.observed.ttftMs).toBe(1);
  });

  it('handles CRLF event ends and a stream cut off mid-event', () => {
    const crlf = text.replaceAll('\n\n', '\r\n\r\n');
    expect(run(crlf, [17, 170], true).out).toBe(crlf.replace(usageEvent.replace('\n\n', '\r\n\r\n'), ''));
    const cutOff = text.slice(0, text.indexOf(' there') + 3);
    expect(run(cutOff, [10], true).out).toBe(cutOff);
  });
});
