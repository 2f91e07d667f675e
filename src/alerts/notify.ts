import { withDeadline } from '../deadline.js';
import { errorMessage, redact } from '../errors.js';
import {
  fromAmount,
  usdFromNano,
  type Alert,
  type AlertDelivery,
  type AlertStore,
  type BalanceAlert,
  type BalanceStore,
  type Quota,
} from '../ledger/store.js';
import type { Logger } from '../log.js';
import { formatScope } from '../quotas/schema.js';
import type { NoticeBoard } from './notices.js';

/** The MCP `logger` name on alert notices, so clients (and tests) can tell them from per-call logs. */
export const ALERT_LOGGER = 'cometapi-mcp/quotas';

/** Webhook delivery: each attempt times out, failures are retried after baseDelayMs × 4^n. */
export interface DeliveryPolicy {
  timeoutMs: number;
  attempts: number;
  baseDelayMs: number;
}

/** About 41 s in the worst case (4 × 5 s timeouts plus 1 + 4 + 16 s of backoff), all off the call path. */
export const DEFAULT_DELIVERY: DeliveryPolicy = { timeoutMs: 5_000, attempts: 4, baseDelayMs: 1_000 };

export interface AlertNotifierDeps {
  alerts: AlertStore;
  /** Where low-balance alerts record their webhook delivery. */
  balance: Pick<BalanceStore, 'recordAttempt'>;
  logger: Logger;
  notices: NoticeBoard;
  webhookUrl: string | undefined;
  policy?: Partial<DeliveryPolicy>;
  fetch?: typeof fetch;
  clock?: () => number;
}

export interface AlertNotifier {
  /** What a new alert's `delivery` column starts as. */
  readonly initialDelivery: AlertDelivery;
  /** Logs, notifies MCP clients and starts the webhook delivery; returns at once and never throws. */
  notify(alert: Alert, quota: Quota): void;
  /** The same for a low-balance alert. */
  notifyBalance(alert: BalanceAlert): void;
  /** Resolves when every webhook delivery started so far has finished. */
  idle(): Promise<void>;
  /** Abandons deliveries still retrying (their rows stay `pending`). */
  close(): void;
}

/** Slack-compatible (`text`), with the figures alongside for anything that wants to parse them. */
export function webhookPayload(alert: Alert, quota: Quota) {
  return {
    text: `:warning: cometapi-mcp: ${alert.message}`,
    source: 'cometapi-mcp',
    alert: {
      id: alert.id,
      quota: quota.name,
      scope: formatScope({ kind: quota.scope, value: quota.scope_value }),
      metric: quota.metric,
      period: quota.period,
      time_zone: quota.time_zone,
      hard: quota.hard,
      threshold: alert.threshold,
      used: fromAmount(quota.metric, alert.used_amount),
      limit: fromAmount(quota.metric, alert.limit_amount),
      period_start: new Date(alert.period_start).toISOString(),
      fired_at: new Date(alert.fired_at).toISOString(),
    },
  };
}

export function balanceWebhookPayload(alert: BalanceAlert) {
  return {
    text: `:warning: cometapi-mcp: ${alert.message}`,
    source: 'cometapi-mcp',
    balance_alert: {
      id: alert.id,
      rule: alert.rule_name,
      below_usd: usdFromNano(alert.below_nano),
      balance_usd: usdFromNano(alert.balance_nano),
      fired_at: new Date(alert.fired_at).toISOString(),
    },
  };
}

/** One alert on its way out: what to send, and where its delivery state is kept. */
interface Outgoing {
  kind: 'quota' | 'balance';
  id: number;
  body: string;
  save: AlertStore['recordAttempt'];
}

export function createAlertNotifier(deps: AlertNotifierDeps): AlertNotifier {
  const policy = { ...DEFAULT_DELIVERY, ...deps.policy };
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? Date.now;
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  // A Slack webhook URL is itself a secret: keep it out of stored errors and logs.
  const secrets = deps.webhookUrl ? [deps.webhookUrl] : [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // unref: a pending retry must not keep a finished stdio server's process alive.
      const onAbort = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (closing.signal.removeEventListener('abort', onAbort), resolve()), ms);
      timer.unref();
      closing.signal.addEventListener('abort', onAbort, { once: true });
    });

  async function record(out: Outgoing, delivery: AlertDelivery, attempts: number, error: string | null) {
    if (closing.signal.aborted) return; // the ledger may already be closed
    try {
      await out.save(out.id, { delivery, attempts, error, at: clock() });
    } catch (e) {
      deps.logger.warn('could not record webhook delivery state', { alert: out.id, error: errorMessage(e) });
    }
  }

  const postOnce = (url: string, body: string): Promise<string | null> =>
    withDeadline(policy.timeoutMs, closing.signal, async (signal, timedOut) => {
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal,
        });
        await response.body?.cancel();
        return response.ok ? null : `HTTP ${response.status}`;
      } catch (error) {
        if (timedOut()) return `no answer within ${policy.timeoutMs} ms`;
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
        return redact(`${errorMessage(error)}${cause}`, secrets).slice(0, 300);
      }
    });

  async function deliver(url: string, out: Outgoing): Promise<void> {
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      const error = await postOnce(url, out.body);
      if (closing.signal.aborted) return;
      if (error === null) return record(out, 'delivered', attempt, null);
      const last = attempt === policy.attempts;
      await record(out, last ? 'failed' : 'pending', attempt, error);
      deps.logger.warn(`${out.kind} alert webhook failed; ${last ? 'giving up' : 'will retry'}`, {
        alert: out.id,
        attempt,
        error,
      });
      if (!last) await sleep(policy.baseDelayMs * 4 ** (attempt - 1));
    }
  }

  function send(out: Outgoing): void {
    const url = deps.webhookUrl;
    if (!url || closing.signal.aborted) return;
    const delivery = deliver(url, out).catch((error: unknown) => {
      deps.logger.warn('alert webhook delivery crashed', { alert: out.id, error: errorMessage(error) });
    });
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  }

  return {
    initialDelivery: deps.webhookUrl ? 'pending' : 'no-webhook',
    notify(alert, quota) {
      deps.logger.warn(`quota alert: ${alert.message}`, {
        quota: quota.name,
        threshold: alert.threshold,
        alert: alert.id,
      });
      deps.notices.publish({
        level: 'warning',
        logger: ALERT_LOGGER,
        data: { message: alert.message, ...webhookPayload(alert, quota).alert },
      });
      send({
        kind: 'quota',
        id: alert.id,
        body: JSON.stringify(webhookPayload(alert, quota)),
        save: deps.alerts.recordAttempt,
      });
    },
    notifyBalance(alert) {
      deps.logger.warn(`balance alert: ${alert.message}`, { rule: alert.rule_name, alert: alert.id });
      const payload = balanceWebhookPayload(alert);
      deps.notices.publish({
        level: 'warning',
        logger: ALERT_LOGGER,
        data: { message: alert.message, ...payload.balance_alert },
      });
      send({ kind: 'balance', id: alert.id, body: JSON.stringify(payload), save: deps.balance.recordAttempt });
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () => closing.abort(),
  };
}
