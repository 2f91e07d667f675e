/** The dashboard's JSON API: /info, /summary, /timeseries, /breakdown, /calls (filtered by model, status, client, tool or session), /errors (mounted at /api). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { BREAKDOWN_DIMENSIONS, BUCKET_SIZES, chooseBucket, type QueryStore } from '../../ledger/store.js';
import { errorHint, errorHintCode, presentCall } from '../present.js';
import { intParam, oneOf, parseQuery, rangeFields, resolveRange } from '../params.js';
import { clientConfig } from '../../client-config.js';

export interface ApiRoutesDeps {
  queries: QueryStore;
  config: Config;
  ledgerPath: string;
  mode: 'demo' | 'live';
  version: string;
  clock: () => number;
}

const summaryQuery = z.strictObject({ ...rangeFields });
const timeseriesQuery = z.strictObject({ ...rangeFields, bucket: oneOf(['auto', ...BUCKET_SIZES]).optional() });
const breakdownQuery = z.strictObject({ ...rangeFields, by: oneOf(BREAKDOWN_DIMENSIONS).optional() });
const filterText = z.string().max(200, 'must be at most 200 characters').optional();
const callsQuery = z.strictObject({
  ...rangeFields,
  limit: intParam(1, 500).optional(),
  before: intParam(1, Number.MAX_SAFE_INTEGER).optional(),
  model: filterText,
  status: oneOf(['ok', 'error', 'blocked']).optional(),
  client: filterText,
  tool: filterText,
  session: filterText,
});
const errorsQuery = z.strictObject({ ...rangeFields });

/** Only the host: the base URL could carry credentials or a path the user considers private. */
function upstreamHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'unknown';
  }
}

export function createApiRoutes(deps: ApiRoutesDeps): Hono {
  const { queries, config, clock } = deps;
  const api = new Hono();
  api.use('*', async (c, next) => {
    await next();
    // Live numbers: never let a browser or proxy cache them.
    c.header('Cache-Control', 'no-store');
  });

  api.get('/info', (c) =>
    c.json({
      mode: deps.mode,
      version: deps.version,
      time_zone: config.timeZone,
      ledger_path: deps.ledgerPath,
      upstream: upstreamHost(config.baseUrl),
      token_required: config.token !== undefined,
      // What the empty state shows to paste into CherryStudio, with this machine's real paths.
      client_config: clientConfig('cherry', 'sk-your-key'),
    }),
  );

  api.get('/summary', async (c) => {
    const q = parseQuery(summaryQuery, c.req.query());
    const { range, timeZone } = resolveRange(q, clock(), config.timeZone);
    return c.json({ ...(await queries.summary(range)), time_zone: timeZone });
  });

  api.get('/timeseries', async (c) => {
    const q = parseQuery(timeseriesQuery, c.req.query());
    const { range, timeZone } = resolveRange(q, clock(), config.timeZone);
    const bucket = !q.bucket || q.bucket === 'auto' ? chooseBucket(range.to - range.from) : q.bucket;
    return c.json(await queries.timeseries(range, bucket, timeZone));
  });

  api.get('/breakdown', async (c) => {
    const q = parseQuery(breakdownQuery, c.req.query());
    const { range } = resolveRange(q, clock(), config.timeZone);
    return c.json(await queries.breakdown(range, q.by ?? 'model'));
  });

  api.get('/calls', async (c) => {
    const q = parseQuery(callsQuery, c.req.query());
    const ranged = q.range !== undefined || q.from !== undefined || q.to !== undefined;
    const page = await queries.calls({
      limit: q.limit ?? 50,
      before: q.before,
      model: q.model,
      status: q.status,
      client: q.client,
      tool: q.tool,
      session: q.session,
      range: ranged ? resolveRange(q, clock(), config.timeZone).range : undefined,
    });
    return c.json({ calls: page.calls.map(presentCall), next_before: page.next_before });
  });

  api.get('/errors', async (c) => {
    const q = parseQuery(errorsQuery, c.req.query());
    const { range } = resolveRange(q, clock(), config.timeZone);
    const rows = (await queries.errors(range)).map((group) => ({
      ...group,
      hint_code: errorHintCode(group),
      hint: errorHint(group),
    }));
    return c.json({ from: range.from, to: range.to, rows });
  });

  return api;
}
