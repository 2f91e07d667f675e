import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/open.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { startSidecar } from '../src/sidecar/serve.js';
import { callRecord, ledgerConfig, seedCalls, tempLedger, type TempLedger } from './helpers/ledger.js';

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads server-sent events from a body stream, one at a time. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<SseEvent> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((l) => !l.startsWith(':'));
          if (lines.length === 0) continue; // heartbeat comment
          const field = (name: string) =>
            lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
          return { event: field('event')[0] ?? 'message', id: field('id')[0], data: field('data').join('\n') };
        }
        const { done, value } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** Counts how often the events route polls the ledger, so a test can see polling stop. */
function countingLedger(ledger: Ledger): { ledger: Ledger; polls: () => number } {
  let polls = 0;
  const calls = { ...ledger.calls, after: (id: number, limit: number) => (polls++, ledger.calls.after(id, limit)) };
  return { ledger: { ...ledger, calls }, polls: () => polls };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let temp: TempLedger;
beforeEach(() => {
  temp = tempLedger();
  seedCalls(temp.ledger, [{ model_used: 'already-there' }]);
});
afterEach(() => temp.cleanup());

describe('GET /api/events', () => {
  it('sends a row inserted by another connection as an event, and stops polling when the client goes away', async () => {
    const counted = countingLedger(temp.ledger);
    const app = createApp({
      ledger: counted.ledger,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      eventsPollMs: 20,
    });
    const res = await app.request('/api/events');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = sseReader(res.body as ReadableStream<Uint8Array>);
    const hello = await events.next();
    expect(hello.event).toBe('hello');
    expect(JSON.parse(hello.data)).toEqual({ last_id: 1 });

    const id = temp
      .openSecond()
      .calls.insert(callRecord({ model_used: '<img src=x onerror=alert(1)>', cost_micro_usd: 2_000_000 }));
    const event = await events.next();
    expect(event).toMatchObject({ event: 'call', id: String(id) });
    expect(JSON.parse(event.data)).toMatchObject({
      id,
      model: '<img src=x onerror=alert(1)>',
      cost_usd: 2,
      stream: false,
    });

    await events.cancel();
    await sleep(60);
    const pollsAfterCancel = counted.polls();
    await sleep(120);
    expect(counted.polls()).toBe(pollsAfterCancel);
  });

  it('resumes after Last-Event-ID and ?after=, draining a backlog in order', async () => {
    const app = createApp({
      ledger: temp.ledger,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      eventsPollMs: 20,
    });
    const ids = seedCalls(
      temp.ledger,
      Array.from({ length: 3 }, () => ({})),
    );
    const starts: { path: string; headers: Record<string, string> }[] = [
      { path: '/api/events', headers: { 'Last-Event-ID': '1' } },
      { path: '/api/events?after=1', headers: {} },
    ];
    for (const init of starts) {
      const res = await app.request(init.path, { headers: init.headers });
      const events = sseReader(res.body as ReadableStream<Uint8Array>);
      expect((await events.next()).event).toBe('hello');
      const got = [await events.next(), await events.next(), await events.next()].map((e) => Number(e.id));
      expect(got).toEqual(ids);
      await events.cancel();
    }
  });

  it('over a real socket: events arrive, and closing the sidecar ends open streams', async () => {
    const sidecar = await startSidecar({
      ledger: temp.ledger,
      config: ledgerConfig(temp),
      logger: silentLogger,
      mode: 'live',
      host: '127.0.0.1',
      port: 0,
      eventsPollMs: 20,
    });
    if (!sidecar) throw new Error('no port');
    const abort = new AbortController();
    const res = await fetch(`${sidecar.url}/api/events`, { signal: abort.signal });
    const events = sseReader(res.body as ReadableStream<Uint8Array>);
    expect((await events.next()).event).toBe('hello');
    const id = temp.openSecond().calls.insert(callRecord({ client: 'other-process' }));
    const event = await events.next();
    expect(JSON.parse(event.data)).toMatchObject({ id, client: 'other-process' });
    await sidecar.close();
    abort.abort();
  });
});
