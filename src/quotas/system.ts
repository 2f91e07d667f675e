import { createNoticeBoard, type NoticeBoard } from '../alerts/notices.js';
import { createAlertNotifier, type AlertNotifier, type DeliveryPolicy } from '../alerts/notify.js';
import type { LedgerStore } from '../ledger/store.js';
import type { Logger } from '../log.js';
import type { CallGuard } from '../metering.js';
import { createQuotaGuard } from './guard.js';
import { readQuotaStates } from './report.js';
import type { QuotaState } from './state.js';

export interface QuotaSystemDeps {
  store: LedgerStore;
  logger: Logger;
  webhookUrl: string | undefined;
  delivery?: Partial<DeliveryPolicy>;
  fetch?: typeof fetch;
  clock?: () => number;
}

/** Quotas, alerts and their delivery over one ledger: what the runtime, sidecar and CLI share. */
export interface QuotaSystem {
  guard: CallGuard;
  /** MCP servers subscribe here to pass alerts on to their clients. */
  notices: NoticeBoard;
  notifier: AlertNotifier;
  /** Every quota with its current period's figures. */
  states(now?: number): Promise<QuotaState[]>;
  close(): void;
}

export function createQuotaSystem(deps: QuotaSystemDeps): QuotaSystem {
  const clock = deps.clock ?? Date.now;
  const notices = createNoticeBoard();
  const notifier = createAlertNotifier({
    alerts: deps.store.alerts,
    balance: deps.store.balance,
    logger: deps.logger,
    notices,
    webhookUrl: deps.webhookUrl,
    policy: deps.delivery,
    fetch: deps.fetch,
    clock,
  });
  const guard = createQuotaGuard({ store: deps.store, notifier, logger: deps.logger, clock });
  return {
    guard,
    notices,
    notifier,
    states: (now = clock()) => readQuotaStates(deps.store, now),
    close: () => notifier.close(),
  };
}
