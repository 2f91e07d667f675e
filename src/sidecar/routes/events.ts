/**
 * GET /api/events: server-sent events for live refresh. Each stream first sends the rows it asked
 * to resume from (Last-Event-ID or ?after), then the rows the app's one shared feed finds.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { CallRow, CallStore } from '../../ledger/store.js';
import { FEED_BATCH, type CallFeed } from '../call-feed.js';
import { intParam, parseQuery } from '../params.js';
import { presentCall } from '../present.js';

export interface EventsRoutesDeps {
  feed: CallFeed;
  calls: CallStore;
  /** How often to send a comment line so proxies and browsers keep the connection open. */
  heartbeatMs: number;
  /** Streams open at once at most; each holds a socket and a little memory. */
  maxStreams: number;
}

export const DEFAULT_MAX_EVENT_STREAMS = 500;
/** A client resuming from far behind gets at most this many old rows; its next aggregate refresh covers the rest. */
const MAX_BACKLOG = 1000;

const eventsQuery = z.strictObject({ after: intParam(0, Number.MAX_SAFE_INTEGER).optional() });

export function createEventsRoutes(deps: EventsRoutesDeps): Hono {
  const events = new Hono();
  events.get('/events', async (c) => {
    const q = parseQuery(eventsQuery, c.req.query());
    if (deps.feed.size >= deps.maxStreams) {
      c.header('Retry-After', '30');
      return c.json(
        {
          error:
            `this sidecar already serves ${deps.maxStreams} live event streams; close a dashboard tab, ` +
            'try again shortly, or raise COMETAPI_MCP_MAX_EVENT_STREAMS',
        },
        503,
      );
    }
    const resumeHeader = c.req.header('last-event-id')?.trim() ?? '';
    const resumeFrom = /^\d{1,15}$/.test(resumeHeader) ? Number(resumeHeader) : q.after;
    const subscription = deps.feed.subscribe();
    const newest = await deps.calls.maxId();
    const start = resumeFrom === undefined ? newest : Math.max(resumeFrom, newest - MAX_BACKLOG);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => subscription.close());
      let last = start;
      const send = async (rows: readonly CallRow[]) => {
        for (const row of rows) {
          if (row.id <= last) continue; // already sent from the backlog
          await stream.writeSSE({ event: 'call', id: String(row.id), data: JSON.stringify(presentCall(row)) });
          last = row.id;
        }
      };
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ last_id: last }), retry: 2000 });
        if (last < newest) {
          for (let rows = await deps.calls.after(last, FEED_BATCH); rows.length > 0;) {
            await send(rows);
            rows = rows.length === FEED_BATCH ? await deps.calls.after(last, FEED_BATCH) : [];
          }
        }
        while (!stream.aborted && !stream.closed) {
          const rows = await subscription.next(deps.heartbeatMs);
          if (rows.length > 0) await send(rows);
          else await stream.write(': keep-alive\n\n');
        }
      } finally {
        subscription.close();
      }
    });
  });
  return events;
}
