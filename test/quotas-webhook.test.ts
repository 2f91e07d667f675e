import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPortUrl,
  eventually,
  startQuotaHarness,
  startWebhookReceiver,
  type QuotaHarness,
  type WebhookReceiver,
} from './helpers/quota-harness.js';
import { allCalls } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const ENGINES = ledgerEngines('quota alert webhook tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let h: QuotaHarness;
  let hook: WebhookReceiver | undefined;
  afterEach(async () => {
    await h.close();
    await hook?.close();
    hook = undefined;
  });

  const alerts = async () => (await h.runtime.store.alerts.recent(100)).reverse();
  const SOFT = { name: 'soft-requests', metric: 'requests', period: 'day', limit: 2, thresholds: [50, 100] };

  describe('webhook delivery', () => {
    it('posts Slack-compatible JSON with the figures to a local server, once per threshold', async () => {
      hook = await startWebhookReceiver();
      h = await startQuotaHarness({ engine, webhookUrl: hook.url, now: Date.parse('2025-06-01T10:00:00Z') });
      await h.quota(SOFT);
      for (let i = 0; i < 4; i++) await h.call('chat', { prompt: `call ${i}` });
      await hook.received(2);
      await h.runtime.quotas.notifier.idle();
      expect(hook.bodies).toHaveLength(2);
      expect(hook.bodies[0]).toEqual({
        text: ":warning: cometapi-mcp: quota 'soft-requests' passed 50%: 1 requests of 2 requests used today (UTC) (50%); soft quota, calls continue (period resets 2025-06-02 00:00)",
        source: 'cometapi-mcp',
        alert: {
          id: 1,
          quota: 'soft-requests',
          scope: 'global',
          metric: 'requests',
          period: 'day',
          time_zone: 'UTC',
          hard: false,
          threshold: 50,
          used: 1,
          limit: 2,
          period_start: '2025-06-01T00:00:00.000Z',
          fired_at: '2025-06-01T10:00:00.000Z',
        },
      });
      expect((await alerts()).map((a) => [a.threshold, a.delivery, a.delivery_attempts, a.last_error])).toEqual([
        [50, 'delivered', 1, null],
        [100, 'delivered', 1, null],
      ]);
    });

    it('retries a failing webhook with backoff and records each attempt', async () => {
      hook = await startWebhookReceiver();
      hook.replies.push(500, 503);
      h = await startQuotaHarness({ engine, webhookUrl: hook.url, delivery: { baseDelayMs: 5, attempts: 4 } });
      await h.quota({ ...SOFT, thresholds: [50] });
      await h.call('chat', { prompt: 'one' });
      await h.runtime.quotas.notifier.idle();
      expect(hook.bodies).toHaveLength(3);
      expect((await alerts())[0]).toMatchObject({ delivery: 'delivered', delivery_attempts: 3, last_error: null });
    });

    it('a dead webhook (closed port) never fails or delays a call; the alert row says what happened', async () => {
      h = await startQuotaHarness({
        engine,
        webhookUrl: await closedPortUrl(),
        delivery: { baseDelayMs: 5, attempts: 3 },
      });
      await h.quota(SOFT);
      for (let i = 0; i < 4; i++) expect((await h.call('chat', { prompt: `call ${i}` })).isError).toBeFalsy();
      expect((await allCalls(h.runtime.store)).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      await h.runtime.quotas.notifier.idle();
      for (const alert of await alerts()) {
        expect(alert).toMatchObject({ delivery: 'failed', delivery_attempts: 3 });
        expect(alert.last_error).toMatch(/ECONNREFUSED/);
      }
      expect(await alerts()).toHaveLength(2);
      // The MCP client and stderr still heard about it.
      expect(h.notices).toHaveLength(2);
      expect(h.logs.some((l) => l.includes('quota alert webhook failed; giving up'))).toBe(true);
    });

    it('a webhook that never answers: the call returns while the delivery is still hanging, then it times out', async () => {
      hook = await startWebhookReceiver();
      hook.replies.push('hang', 'hang');
      h = await startQuotaHarness({
        engine,
        webhookUrl: hook.url,
        delivery: { timeoutMs: 300, baseDelayMs: 5, attempts: 2 },
      });
      await h.quota({ ...SOFT, thresholds: [50] });
      const result = await h.call('chat', { prompt: 'crosses 50 %' });
      expect(result.isError).toBeFalsy();
      // The call is done, yet the webhook has not answered: nothing on the call path waited for it.
      expect((await alerts())[0]).toMatchObject({ delivery: 'pending', delivery_attempts: 0 });
      expect((await h.call('chat', { prompt: 'and another' })).isError).toBeFalsy();
      await h.runtime.quotas.notifier.idle();
      expect(hook.bodies).toHaveLength(2);
      expect((await alerts())[0]).toMatchObject({
        delivery: 'failed',
        delivery_attempts: 2,
        last_error: 'no answer within 300 ms',
      });
    });

    it('keeps the webhook URL (a secret for Slack) out of stored errors', async () => {
      const url = await closedPortUrl();
      h = await startQuotaHarness({
        webhookUrl: `${url}/T0/B0/very-secret-path`,
        delivery: { baseDelayMs: 1, attempts: 1 },
      });
      await h.quota({ ...SOFT, thresholds: [50] });
      await h.call('chat', { prompt: 'one' });
      await eventually(async () => expect((await alerts())[0]?.delivery).toBe('failed'));
      expect(JSON.stringify(await alerts())).not.toContain('very-secret-path');
      expect(h.logs.join('')).not.toContain('very-secret-path');
    });
  });
});
