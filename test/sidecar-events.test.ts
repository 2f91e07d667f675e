import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerStore } from '../src/ledger/store.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { callRecord, ledgerConfig, seedCalls, type EngineLedger } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { BUILT_CLI, TEST_KEY, startTestUpstream } from './helpers/harness.js';
import { startTestSidecar } from './helpers/sidecar.js';

const run = promisify(execFile);

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
function countingStore(store: LedgerStore): { store: LedgerStore; polls: () => number } {
  let polls = 0;
  const calls = { ...store.calls, after: (id: number, limit: number) => (polls++, store.calls.after(id, limit)) };
  return { store: { ...store, calls }, polls: () => polls };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ENGINES = ledgerEngines('live event tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let temp: EngineLedger;
  beforeEach(async () => {
    temp = await engine.open();
    await seedCalls(temp.store, [{ model_used: 'already-there' }]);
  });
  afterEach(async () => temp.cleanup());
  /** The app over this ledger (or a wrapper of it), polling for new calls every 20 ms. */
  const liveApp = (store: LedgerStore = temp.store, options: { maxEventStreams?: number } = {}) =>
    createApp({ store, config: ledgerConfig(temp), logger: silentLogger, mode: 'live', eventsPollMs: 20, ...options });

  describe('GET /api/events', () => {
    it('sends a row inserted by another connection as an event, and stops polling when the client goes away', async () => {
      const counted = countingStore(temp.store);
      const app = liveApp(counted.store);
      const res = await app.request('/api/events');
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = sseReader(res.body as ReadableStream<Uint8Array>);
      const hello = await events.next();
      expect(hello.event).toBe('hello');
      expect(JSON.parse(hello.data)).toEqual({ last_id: 1 });

      const id = await (
        await temp.another()
      ).calls.record(callRecord({ model_used: '<img src=x onerror=alert(1)>', cost_nano_usd: 2_000_000_000 }));
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
      const app = liveApp();
      const ids = await seedCalls(
        temp.store,
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
      const sidecar = await startTestSidecar({
        store: temp.store,
        config: ledgerConfig(temp),
        logger: silentLogger,
        eventsPollMs: 20,
      });
      const abort = new AbortController();
      const res = await fetch(`${sidecar.url}/api/events`, { signal: abort.signal });
      const events = sseReader(res.body as ReadableStream<Uint8Array>);
      expect((await events.next()).event).toBe('hello');
      const id = await (await temp.another()).calls.record(callRecord({ client: 'other-process' }));
      const event = await events.next();
      expect(JSON.parse(event.data)).toMatchObject({ id, client: 'other-process' });
      await sidecar.close();
      abort.abort();
    });

    it('serves many open streams from one poller, and answers 503 with Retry-After beyond the cap', async () => {
      const counted = countingStore(temp.store);
      const app = liveApp(counted.store, { maxEventStreams: 5 });
      const streams = [];
      for (let i = 0; i < 5; i++) {
        const res = await app.request('/api/events');
        expect(res.status).toBe(200);
        const events = sseReader(res.body as ReadableStream<Uint8Array>);
        expect((await events.next()).event).toBe('hello');
        streams.push(events);
      }
      const refused = await app.request('/api/events');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(((await refused.json()) as { error: string }).error).toMatch(/COMETAPI_MCP_MAX_EVENT_STREAMS/);

      const before = counted.polls();
      await sleep(200);
      // One poll every 20 ms for the app, not one per stream: about 10 in 200 ms, never 5 × 10.
      expect(counted.polls() - before).toBeLessThan(20);
      const id = await (await temp.another()).calls.record(callRecord({ client: 'fan-out' }));
      for (const events of streams) expect(Number((await events.next()).id)).toBe(id);
      for (const events of streams) await events.cancel();
      await sleep(60);
      const reopened = await app.request('/api/events');
      expect(reopened.status).toBe(200);
      await sseReader(reopened.body as ReadableStream<Uint8Array>).cancel();
    });

    it('shows, at the default poll interval, a call another process made within 1 s of it being acknowledged', async () => {
      const sim = await startTestUpstream();
      const app = createApp({ store: temp.store, config: ledgerConfig(temp), logger: silentLogger, mode: 'live' });
      const res = await app.request('/api/events');
      const events = sseReader(res.body as ReadableStream<Uint8Array>);
      try {
        expect((await events.next()).event).toBe('hello');
        // `verify` is a whole other cometapi-mcp process (another laptop, with PostgreSQL) writing one call.
        const next = events.next().then((event) => ({ event, at: Date.now() }));
        await run(process.execPath, [BUILT_CLI, 'verify'], {
          env: { PATH: process.env.PATH, COMETAPI_KEY: TEST_KEY, COMETAPI_BASE_URL: sim.baseUrl, ...temp.env },
        });
        const acknowledged = Date.now();
        const { event, at } = await next;
        expect(JSON.parse(event.data)).toMatchObject({ client: 'cometapi-mcp verify', tool: 'verify' });
        // The dashboard's promise to a team: within a second (the feed polls every 500 ms).
        expect(at - acknowledged).toBeLessThan(1000);
      } finally {
        await events.cancel();
        await sim.close();
      }
    });
  });
});
