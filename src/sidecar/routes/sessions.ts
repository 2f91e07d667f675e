/** /api/sessions: each session's calls, tokens, cost and errors in a range, the most expensive first. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { SessionStore } from '../../ledger/store.js';
import { intParam, parseQuery, rangeFields, resolveRange } from '../params.js';

export interface SessionRoutesDeps {
  sessions: SessionStore;
  config: Config;
  clock: () => number;
}

const sessionsQuery = z.strictObject({ ...rangeFields, limit: intParam(1, 500).optional() });

export function createSessionRoutes(deps: SessionRoutesDeps): Hono {
  const api = new Hono();
  api.get('/sessions', async (c) => {
    const q = parseQuery(sessionsQuery, c.req.query());
    const { range, timeZone } = resolveRange(q, deps.clock(), deps.config.timeZone);
    const sessions = await deps.sessions.list(range, q.limit ?? 100);
    c.header('Cache-Control', 'no-store');
    return c.json({ from: range.from, to: range.to, time_zone: timeZone, sessions });
  });
  return api;
}
