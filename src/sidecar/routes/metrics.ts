/** GET /metrics: Prometheus text exposition of ledger-derived metrics (see ledger-metrics.ts). */
import { Hono } from 'hono';
import type { LedgerMetrics } from '../ledger-metrics.js';

export function createMetricsRoutes(metrics: LedgerMetrics): Hono {
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    await metrics.refresh();
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
  return routes;
}
