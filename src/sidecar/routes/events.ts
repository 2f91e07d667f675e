/**
 * GET /api/events: server-sent events for live refresh. Calls come from every process writing
 * the ledger file, so this polls the database for id > last rather than listening in-process.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Ledger } from '../../ledger/open.js';
import { intParam, parseQuery } from '../params.js';
import { presentCall } from '../present.js';

export interface EventsRoutesDeps {
  ledger: Ledger;
  /** How often to look for new rows. */
  pollMs: number;
  /** How often to send a comment line so proxies and browsers keep the connection open. */
  heartbeatMs: number;
}

/** Rows sent per poll; a larger backlog drains over the next polls without sleeping. */
const BATCH = 200;
/** A client resuming from far behind gets at most this many old rows; its next aggregate refresh covers the rest. */
const MAX_BACKLOG = 1000;

const eventsQuery = z.strictObject({ after: intParam(0, Number.MAX_SAFE_INTEGER).optional() });

export function createEventsRoutes(deps: EventsRoutesDeps): Hono {
  const events = new Hono();
  events.get('/events', (c) => {
    const q = parseQuery(eventsQuery, c.req.query());
    // A reconnecting EventSource sends Last-Event-ID: resume there so nothing is missed.
    const resumeHeader = c.req.header('last-event-id')?.trim() ?? '';
    const resumeFrom = /^\d{1,15}$/.test(resumeHeader) ? Number(resumeHeader) : q.after;
    const newest = deps.ledger.calls.maxId();
    const start = resumeFrom === undefined ? newest : Math.max(resumeFrom, newest - MAX_BACKLOG);
    return streamSSE(c, async (stream) => {
      let last = start;
      let lastSent = performance.now();
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ last_id: last }), retry: 2000 });
      while (!stream.aborted && !stream.closed) {
        const rows = deps.ledger.calls.after(last, BATCH);
        for (const row of rows) {
          await stream.writeSSE({ event: 'call', id: String(row.id), data: JSON.stringify(presentCall(row)) });
          last = row.id;
        }
        if (rows.length > 0) lastSent = performance.now();
        if (rows.length === BATCH) continue;
        if (performance.now() - lastSent >= deps.heartbeatMs) {
          await stream.write(': keep-alive\n\n');
          lastSent = performance.now();
        }
        await stream.sleep(deps.pollMs);
      }
    });
  });
  return events;
}
