/** Quotas and alerts over JSON: /quotas (GET, POST), /quotas/:name (GET, PUT, DELETE), /alerts (mounted at /api). */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Config } from '../../config.js';
import { errorMessage } from '../../errors.js';
import { fromAmount, type Alert, type LedgerStore } from '../../ledger/store.js';
import { QuotaConflictError, QuotaNotFoundError, removeQuota, setQuota, type SetOptions } from '../../quotas/manage.js';
import { QuotaInputError } from '../../quotas/schema.js';
import { readQuotaState, readQuotaStates } from '../../quotas/report.js';

export interface QuotaRoutesDeps {
  store: LedgerStore;
  config: Pick<Config, 'timeZone'>;
  clock?: () => number;
}

/** An alert as the dashboard shows it: amounts in the quota's unit (USD for cost), times as ISO. */
export function presentAlert(alert: Alert) {
  const metric = alert.metric;
  return {
    id: alert.id,
    quota: alert.quota_name,
    metric,
    threshold: alert.threshold,
    used: fromAmount(metric, alert.used_amount),
    limit: fromAmount(metric, alert.limit_amount),
    percent: Math.round((alert.used_amount / alert.limit_amount) * 1000) / 10,
    message: alert.message,
    period_start: new Date(alert.period_start).toISOString(),
    fired_at: new Date(alert.fired_at).toISOString(),
    delivery: alert.delivery,
    delivery_attempts: alert.delivery_attempts,
    last_error: alert.last_error,
    delivered_at: alert.delivered_at === null ? null : new Date(alert.delivered_at).toISOString(),
  };
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new QuotaInputError([{ field: '', message: `the body must be JSON (${errorMessage(error)})` }]);
  }
}

/** Each kind of refusal gets its status; anything else goes to the app's error handler. */
function refusal(c: Context, error: unknown): Response {
  const status: ContentfulStatusCode | null =
    error instanceof QuotaInputError
      ? 400
      : error instanceof QuotaConflictError
        ? 409
        : error instanceof QuotaNotFoundError
          ? 404
          : null;
  if (status === null) throw error;
  const issues = error instanceof QuotaInputError ? error.issues : undefined;
  return c.json({ error: errorMessage(error), ...(issues ? { issues } : {}) }, status);
}

const ALERT_LIMIT_MAX = 500;

export function createQuotaRoutes(deps: QuotaRoutesDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const { store } = deps;
  const quotas = store.quotas;
  const options = (mode: SetOptions['mode']): SetOptions => ({
    defaultTimeZone: deps.config.timeZone,
    now: clock(),
    mode,
  });
  const api = new Hono();
  api.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  api.get('/quotas', async (c) =>
    c.json({ time_zone: deps.config.timeZone, quotas: await readQuotaStates(store, clock()) }),
  );

  api.get('/quotas/:name', async (c) => {
    const quota = await quotas.get(c.req.param('name'));
    if (!quota)
      return refusal(c, new QuotaNotFoundError(`there is no quota named '${c.req.param('name').slice(0, 64)}'`));
    return c.json(await readQuotaState(store, quota, clock()));
  });

  api.post('/quotas', async (c) => {
    try {
      const quota = await setQuota(quotas, await jsonBody(c), options('create'));
      return c.json(await readQuotaState(store, quota, clock()), 201);
    } catch (error) {
      return refusal(c, error);
    }
  });

  // Fields left out keep their values, like `quota set`; a new name creates the quota.
  api.put('/quotas/:name', async (c) => {
    try {
      const name = c.req.param('name');
      const body = await jsonBody(c);
      if (typeof body === 'object' && body !== null && 'name' in body && body.name !== name) {
        throw new QuotaInputError([
          {
            field: 'name',
            message: `the body says "${String(body.name).slice(0, 64)}" but the URL says "${name.slice(0, 64)}"; quotas cannot be renamed, remove and re-create it instead`,
          },
        ]);
      }
      const quota = await setQuota(
        quotas,
        typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, name } : body,
        options('upsert'),
      );
      return c.json(await readQuotaState(store, quota, clock()));
    } catch (error) {
      return refusal(c, error);
    }
  });

  api.delete('/quotas/:name', async (c) => {
    try {
      await removeQuota(quotas, c.req.param('name'));
      return c.json({ removed: c.req.param('name') });
    } catch (error) {
      return refusal(c, error);
    }
  });

  api.get('/alerts', async (c) => {
    const limitText = c.req.query('limit') ?? '100';
    const limit = Number(limitText);
    if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > ALERT_LIMIT_MAX) {
      return c.json({ error: `limit must be a whole number from 1 to ${ALERT_LIMIT_MAX}` }, 400);
    }
    return c.json({ alerts: (await store.alerts.recent(limit)).map(presentAlert) });
  });

  return api;
}
