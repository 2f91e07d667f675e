/**
 * The balance and reconciliation over JSON (mounted at /api): GET /balance, PUT|DELETE
 * /balance/rules/:name ({"below_usd": 5}), POST /balance/refresh, GET|POST /reconcile.
 */
import { Hono, type Context } from 'hono';
import type { QueryConfig } from '../../config.js';
import { usdFromNano, type BalanceAlert, type LedgerStore } from '../../ledger/store.js';
import type { BalanceMonitor } from '../../balance/monitor.js';
import { presentReconciliation, readBalanceState } from '../../balance/present.js';
import { parseDays, reconcileDays } from '../../balance/reconcile.js';
import { parseBalanceRule } from '../../balance/rules.js';
import { QueryServiceError, type QueryService } from '../../upstream/query-service.js';

export interface BalanceRoutesDeps {
  store: LedgerStore;
  query: QueryConfig;
  service: QueryService;
  /** The provider name CometAPI's calls carry in this ledger ("simulated" in the demo). */
  provider: string;
  /** Coalesces a refresh asked for here with the schedule's; without it a refresh runs alone. */
  monitor: BalanceMonitor;
  clock: () => number;
}

const presentAlert = (a: BalanceAlert) => ({
  id: a.id,
  rule: a.rule_name,
  below_usd: usdFromNano(a.below_nano),
  balance_usd: usdFromNano(a.balance_nano),
  message: a.message,
  fired_at: new Date(a.fired_at).toISOString(),
  delivery: a.delivery,
});

export function createBalanceRoutes(deps: BalanceRoutesDeps): Hono {
  const routes = new Hono();
  const { store } = deps;
  const state = async (c: Context) => {
    const [balance, rules, alerts] = await Promise.all([
      readBalanceState(store),
      store.balance.rules(),
      store.balance.recentAlerts(20),
    ]);
    const presentedRules = rules.map((r) => ({ name: r.name, below_usd: usdFromNano(r.below_nano), armed: r.armed }));
    return c.json({ ...balance, rules: presentedRules, alerts: alerts.map(presentAlert) });
  };
  routes.get('/balance', state);
  routes.put('/balance/rules/:name', async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const below = typeof body === 'object' && body !== null && 'below_usd' in body ? body.below_usd : undefined;
    const input = parseBalanceRule(c.req.param('name'), below);
    await store.balance.setRule(input.name, input.belowNano, deps.clock());
    return state(c);
  });
  routes.delete('/balance/rules/:name', async (c) =>
    (await store.balance.removeRule(c.req.param('name')))
      ? state(c)
      : c.json({ error: `no balance alert named "${c.req.param('name')}"`, code: 'balance_rule_not_found' }, 404),
  );
  routes.post('/balance/refresh', async (c) => (await deps.monitor.refresh(), state(c)));
  routes.get('/reconcile', async (c) =>
    c.json(presentReconciliation(await store.balance.latestReconciliation(), deps.query.billingTimeZone)),
  );
  routes.post('/reconcile', async (c) => {
    const days = parseDays(c.req.query('since') ?? '7d');
    try {
      const result = await reconcileDays({ ...deps, timeZone: deps.query.billingTimeZone, days }, { store: true });
      return c.json(presentReconciliation(result.days, result.time_zone, result.suspects));
    } catch (error) {
      if (!(error instanceof QueryServiceError)) throw error;
      return c.json({ error: error.message, code: 'query_failed' }, 502);
    }
  });
  return routes;
}
