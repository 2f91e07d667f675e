/**
 * One balance refresh: ask the query service, store what it said (or why it failed) as a
 * snapshot, then fire or re-arm the low-balance rules. Shared by the sidecar's schedule and
 * `cometapi-mcp balance --refresh`; never on a call's path.
 */
import type { AlertNotifier } from '../alerts/notify.js';
import { errorMessage } from '../errors.js';
import { nanoFromUsd, type BalanceSnapshot, type LedgerStore } from '../ledger/store.js';
import { formatAmount } from '../quotas/format.js';
import type { Logger } from '../log.js';
import { QueryServiceError, type QueryService } from '../upstream/query-service.js';

export interface RefreshDeps {
  store: LedgerStore;
  service: QueryService;
  /** Delivers fired low-balance alerts (log, MCP notice, webhook); without it they are only stored. */
  notifier?: AlertNotifier;
  logger: Logger;
  clock: () => number;
}

const formatUsd = (nano: number): string => formatAmount('cost', nano);

/** Takes and stores one snapshot; a failure is stored too, and comes back with `error` set. */
export async function refreshBalance(deps: RefreshDeps): Promise<BalanceSnapshot> {
  const takenAt = deps.clock();
  let snapshot: BalanceSnapshot;
  try {
    const answer = await deps.service.fetchQuota();
    snapshot = await deps.store.balance.record({
      taken_at: takenAt,
      source: deps.service.host,
      balance_nano: nanoFromUsd(answer.balanceUsd),
      used_nano: nanoFromUsd(answer.usedUsd),
      requests: answer.requests,
      key_name: answer.key?.name ?? null,
      key_remaining_nano: answer.key?.remainingUsd == null ? null : nanoFromUsd(answer.key.remainingUsd),
      error: null,
    });
  } catch (error) {
    // QueryServiceError messages name the host and status only; anything else is cut to its message.
    const message =
      error instanceof QueryServiceError ? error.message : `balance refresh failed: ${errorMessage(error)}`;
    deps.logger.warn('balance not refreshed', { error: message });
    return deps.store.balance.record({
      taken_at: takenAt,
      source: deps.service.host,
      balance_nano: null,
      used_nano: null,
      requests: null,
      key_name: null,
      key_remaining_nano: null,
      error: message.slice(0, 300),
    });
  }
  await applyRules(deps, snapshot);
  return snapshot;
}

/** Fires each armed rule the balance is below, re-arms each fired rule it is back above. */
async function applyRules(deps: RefreshDeps, snapshot: BalanceSnapshot): Promise<void> {
  const balance = snapshot.balance_nano;
  if (balance === null) return;
  for (const rule of await deps.store.balance.rules()) {
    if (balance >= rule.below_nano) {
      if (!rule.armed) await deps.store.balance.rearmRule(rule.id, snapshot.taken_at);
      continue;
    }
    if (!rule.armed) continue;
    const alert = await deps.store.balance.fireRule(rule.id, snapshot.taken_at, {
      balance_nano: balance,
      message: `balance below ${formatUsd(rule.below_nano)}: ${formatUsd(balance)} left on the CometAPI account (rule "${rule.name}")`,
      fired_at: deps.clock(),
      delivery: deps.notifier?.initialDelivery ?? 'no-webhook',
    });
    if (alert) deps.notifier?.notifyBalance(alert);
  }
}
