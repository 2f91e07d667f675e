import { createNoticeBoard, type NoticeBoard } from '../alerts/notices.js';
import { createAlertNotifier, type AlertNotifier, type DeliveryPolicy } from '../alerts/notify.js';
import { createAlertsRepo, type AlertsRepo } from '../ledger/alerts.js';
import type { Ledger } from '../ledger/open.js';
import { createQuotasRepo, type QuotasRepo } from '../ledger/quotas.js';
import type { Logger } from '../log.js';
import type { CallGuard } from '../metering.js';
import { createQuotaGuard } from './guard.js';
import { quotaState, type QuotaState } from './state.js';
import { createUsageQuery, type UsageQuery } from './usage.js';

export interface QuotaSystemDeps {
  ledger: Ledger;
  logger: Logger;
  webhookUrl: string | undefined;
  delivery?: Partial<DeliveryPolicy>;
  fetch?: typeof fetch;
  clock?: () => number;
}

/** Quotas, alerts and their delivery over one ledger: what the runtime, sidecar and CLI share. */
export interface QuotaSystem {
  quotas: QuotasRepo;
  alerts: AlertsRepo;
  usage: UsageQuery;
  guard: CallGuard;
  /** MCP servers subscribe here to pass alerts on to their clients. */
  notices: NoticeBoard;
  notifier: AlertNotifier;
  /** Every quota with its current period's figures. */
  states(now?: number): QuotaState[];
  close(): void;
}

export function createQuotaSystem(deps: QuotaSystemDeps): QuotaSystem {
  const clock = deps.clock ?? Date.now;
  const quotas = createQuotasRepo(deps.ledger.db);
  const alerts = createAlertsRepo(deps.ledger.db);
  const usage = createUsageQuery(deps.ledger.db);
  const notices = createNoticeBoard();
  const notifier = createAlertNotifier({
    alerts,
    logger: deps.logger,
    notices,
    webhookUrl: deps.webhookUrl,
    policy: deps.delivery,
    fetch: deps.fetch,
    clock,
  });
  const guard = createQuotaGuard({ quotas, alerts, usage, notifier, logger: deps.logger, clock });
  return {
    quotas,
    alerts,
    usage,
    guard,
    notices,
    notifier,
    states: (now = clock()) => quotas.list().map((quota) => quotaState(quota, usage, now)),
    close: () => notifier.close(),
  };
}
