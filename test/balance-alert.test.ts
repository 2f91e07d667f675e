/**
 * The low-balance alert on both engines: several stores on one ledger (standing in for several
 * processes) refresh together as the balance crosses the rule, and exactly one alert is recorded
 * and delivered; it re-arms when a top-up lifts the balance above, and fires again on the next crossing.
 */
import { usdFromNano } from '../src/ledger/calls.js';
import { describe, expect, it } from 'vitest';
import { refreshBalance } from '../src/balance/snapshot.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { ALERT_LOGGER } from '../src/alerts/notify.js';
import { startHarness } from './helpers/harness.js';
import { eventually, startWebhookReceiver } from './helpers/quota-harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { refreshDeps } from './helpers/balance.js';

describe.each(ledgerEngines('low-balance alert'))('low-balance alert on $name', (engine) => {
  it('fires once per crossing across processes and re-arms above the line', async () => {
    const ledger = await engine.open();
    const h = await startHarness({ env: ledger.env, sim: { billing: { balanceUsd: 5.00001 } } });
    try {
      const stores = [h.runtime.store, await ledger.another(), await ledger.another(), await ledger.another()];
      await h.runtime.store.balance.setRule('low-balance', 5_000_000_000, Date.now());
      let t = Date.now();
      // Each refresh round: every "process" refreshes at once, with the same newer snapshot time.
      const round = async () => {
        t += 1000;
        return Promise.all(stores.map((store) => refreshBalance(refreshDeps(h, store, () => t))));
      };
      await round();
      expect(await h.runtime.store.balance.recentAlerts(10)).toHaveLength(0);

      const spent = async () =>
        expect((await h.call('chat', { prompt: 'spend a little', model: 'gpt-4o' })).isError).toBeFalsy();
      await spent();
      const charged = h.sim.billing.chargedNano;
      await round();
      await round(); // still below: nothing more
      const first = await h.runtime.store.balance.recentAlerts(10);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({
        rule_name: 'low-balance',
        below_nano: 5_000_000_000,
        balance_nano: 5_000_010_000 - charged,
      });
      expect(first[0]?.message).toMatch(
        /^balance below \$5\.00: \$5\.00 left on the CometAPI account \(rule "low-balance"\)$/,
      );
      expect(h.logs.filter((l) => l.includes('balance alert: balance below $5.00'))).toHaveLength(1);
      expect((await h.runtime.store.balance.rules())[0]?.armed).toBe(false);

      h.sim.billing.topUp(usdFromNano(charged));
      await round();
      expect((await h.runtime.store.balance.rules())[0]?.armed).toBe(true);
      expect(await h.runtime.store.balance.recentAlerts(10)).toHaveLength(1);

      await spent();
      await round();
      expect(await h.runtime.store.balance.recentAlerts(10)).toHaveLength(2);
      expect(h.logs.filter((l) => l.includes('balance alert:'))).toHaveLength(2);
    } finally {
      await h.close();
      await ledger.cleanup();
    }
  });

  it('is delivered like a quota alert: webhook, MCP notice, stored delivery state', async () => {
    const hook = await startWebhookReceiver();
    const ledger = await engine.open();
    const h = await startHarness({
      env: { ...ledger.env, COMETAPI_MCP_WEBHOOK_URL: hook.url },
      sim: { billing: { balanceUsd: 4.5 } },
    });
    try {
      const notices: LoggingMessageNotification['params'][] = [];
      h.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void notices.push(n.params));
      await h.runtime.store.balance.setRule('low-balance', 5_000_000_000, Date.now());
      await refreshBalance(refreshDeps(h));
      await hook.received(1);
      await h.runtime.quotas.notifier.idle();
      const message = 'balance below $5.00: $4.50 left on the CometAPI account (rule "low-balance")';
      expect(hook.bodies).toEqual([
        {
          text: `:warning: cometapi-mcp: ${message}`,
          source: 'cometapi-mcp',
          balance_alert: { id: 1, rule: 'low-balance', below_usd: 5, balance_usd: 4.5, fired_at: expect.any(String) },
        },
      ]);
      await eventually(() =>
        expect(notices.map((n) => [n.level, n.logger, (n.data as { message: string }).message])).toEqual([
          ['warning', ALERT_LOGGER, message],
        ]),
      );
      expect((await h.runtime.store.balance.recentAlerts(1))[0]).toMatchObject({
        delivery: 'delivered',
        delivery_attempts: 1,
      });
    } finally {
      await h.close();
      await ledger.cleanup();
      await hook.close();
    }
  });

  it('an older snapshot neither fires nor re-arms after a newer one', async () => {
    const ledger = await engine.open();
    try {
      const balance = ledger.store.balance;
      const rule = await balance.setRule('low', 5_000_000_000, 0);
      const alert = { balance_nano: 1, message: 'low', fired_at: 1, delivery: 'no-webhook' as const };
      expect(await balance.fireRule(rule.id, 200, alert)).not.toBeNull();
      expect(await balance.rearmRule(rule.id, 100)).toBe(false);
      expect(await balance.rearmRule(rule.id, 300)).toBe(true);
      expect(await balance.fireRule(rule.id, 250, alert)).toBeNull();
      expect(await balance.fireRule(rule.id, 400, alert)).not.toBeNull();
    } finally {
      await ledger.cleanup();
    }
  });
});
