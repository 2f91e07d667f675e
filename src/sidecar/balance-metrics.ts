/** cometapi_balance_usd on /metrics: the newest stored balance (any process may have refreshed it). */
import { Gauge, type Registry } from 'prom-client';
import { fromMicro, type BalanceStore } from '../ledger/store.js';

export function registerBalanceMetrics(
  registry: Registry,
  balance: Pick<BalanceStore, 'latestGood'>,
  clock: () => number,
): void {
  const registers = [registry];
  // Left out (no sample) until a refresh has succeeded: a 0 would read as an empty account.
  new Gauge({
    name: 'cometapi_balance_usd',
    help: "CometAPI account balance in USD, from the query service's last successful answer.",
    registers,
    async collect() {
      this.reset();
      const good = await balance.latestGood();
      if (good?.balance_micro != null) this.set(fromMicro(good.balance_micro));
    },
  });
  new Gauge({
    name: 'cometapi_balance_age_seconds',
    help: 'Seconds since cometapi_balance_usd was read from CometAPI.',
    registers,
    async collect() {
      this.reset();
      const good = await balance.latestGood();
      if (good) this.set(Math.max(0, (clock() - good.taken_at) / 1000));
    },
  });
}
