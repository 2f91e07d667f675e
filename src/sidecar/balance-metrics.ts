/** cometapi_balance_usd on /metrics: the newest stored balance (any process may have refreshed it). */
import { Gauge, type Registry } from 'prom-client';
import { usdFromNano, type BalanceSnapshot, type BalanceStore } from '../ledger/store.js';

export function registerBalanceMetrics(
  registry: Registry,
  balance: Pick<BalanceStore, 'latestGood'>,
  clock: () => number,
): void {
  const registers = [registry];
  // Labelled by the query service's host, so there is no sample at all until a refresh has
  // succeeded (an unlabelled gauge would read 0, like an empty account).
  const gauge = (name: string, help: string, value: (good: BalanceSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['source'],
      registers,
      async collect() {
        this.reset();
        const good = await balance.latestGood();
        if (good) this.set({ source: good.source }, value(good));
      },
    });
  gauge(
    'cometapi_balance_usd',
    "CometAPI account balance in USD, from the query service's last successful answer.",
    (g) => usdFromNano(g.balance_nano ?? 0),
  );
  gauge('cometapi_balance_age_seconds', 'Seconds since cometapi_balance_usd was read from CometAPI.', (g) =>
    Math.max(0, (clock() - g.taken_at) / 1000),
  );
}
