/**
 * `ledger copy`: every call, quota, alert, stored price and low-balance rule of one ledger into
 * another, whichever the engines.
 * Calls go in batches, each committed with the source's progress mark (store.copies), so running
 * it again copies only what is new and a run cut short resumes where it stopped. Quotas the target
 * already has (by name) are kept as they are, and so are its stored prices (by model) and
 * low-balance rules (by name); alerts fire once per quota, period and threshold, so copied history
 * never doubles either. Balance snapshots and reconciliations are not copied: they describe the
 * source's own refreshes, and the target's sidecar makes its own.
 */
import { BadInputError } from '../errors.js';
import { fromAmount, type LedgerStore, type Quota } from './store.js';
import type { QuotaInput } from '../quotas/schema.js';

export interface CopyOptions {
  /** Calls per transaction (default 2,000). */
  batch?: number;
  now?: () => number;
  /** After each batch: calls of the source now in the target, and the source's count. */
  onProgress?: (copied: number, total: number) => void;
  /** Stops between batches; what was committed stays, and the next run carries on from there. */
  signal?: AbortSignal;
}

export interface CopyReport {
  /** Calls copied by this run, and by earlier runs of the same source. */
  calls: number;
  earlierCalls: number;
  quotasCopied: string[];
  /** Quotas the target had already under the same name, left as they were. */
  quotasKept: string[];
  alertsCopied: number;
  /** Models whose stored price was copied, and those the target had a price of already. */
  pricesCopied: string[];
  pricesKept: string[];
  balanceRulesCopied: string[];
  balanceRulesKept: string[];
}

/** Settings copied by name: what the target lacks goes in, what it has stays as it is. */
async function copyMissing<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  has: (name: string) => Promise<boolean>,
  put: (item: T) => Promise<unknown>,
): Promise<{ copied: string[]; kept: string[] }> {
  const result = { copied: [] as string[], kept: [] as string[] };
  for (const item of items) {
    if (await has(nameOf(item))) result.kept.push(nameOf(item));
    else {
      await put(item);
      result.copied.push(nameOf(item));
    }
  }
  return result;
}

const inputOf = (q: Quota): QuotaInput => ({
  name: q.name,
  scope: { kind: q.scope, value: q.scope_value },
  metric: q.metric,
  period: q.period,
  limit: fromAmount(q.metric, q.limit_amount),
  thresholds: q.thresholds,
  hard: q.hard,
  time_zone: q.time_zone,
});

export async function copyLedger(from: LedgerStore, to: LedgerStore, options: CopyOptions = {}): Promise<CopyReport> {
  const now = options.now ?? Date.now;
  const batch = options.batch ?? 2_000;
  const source = await from.copies.ledgerId();
  if (source === (await to.copies.ledgerId()))
    throw new BadInputError(`${from.location} and ${to.location} are the same ledger; give another --to`);

  const quotas = await copyMissing(
    await from.quotas.list(),
    (q) => q.name,
    async (name) => (await to.quotas.get(name)) !== undefined,
    (q) => to.quotas.upsert(inputOf(q), q.updated_at),
  );
  const targetPrices = new Set((await to.prices.list()).map((p) => p.model));
  const prices = await copyMissing(
    await from.prices.list(),
    (p) => p.model,
    async (model) => targetPrices.has(model),
    (p) => to.prices.apply({ model: p.model, price: p.price, now: p.updated_at }),
  );
  const targetRules = new Set((await to.balance.rules()).map((r) => r.name));
  const rules = await copyMissing(
    await from.balance.rules(),
    (r) => r.name,
    async (name) => targetRules.has(name),
    (r) => to.balance.setRule(r.name, r.below_nano, r.created_at),
  );
  const report: CopyReport = {
    calls: 0,
    earlierCalls: 0,
    quotasCopied: quotas.copied,
    quotasKept: quotas.kept,
    alertsCopied: 0,
    pricesCopied: prices.copied,
    pricesKept: prices.kept,
    balanceRulesCopied: rules.copied,
    balanceRulesKept: rules.kept,
  };

  const progress = await to.copies.progress(source);
  report.earlierCalls = progress.copied;
  const total = await from.calls.count();
  let through = progress.throughId;
  options.onProgress?.(progress.copied, total);
  while (!options.signal?.aborted) {
    const rows = await from.calls.after(through, batch);
    const last = rows.at(-1);
    if (!last) break;
    await to.copies.importCalls(source, rows, now());
    through = last.id;
    report.calls += rows.length;
    options.onProgress?.(progress.copied + report.calls, total);
  }

  for (const alert of await from.alerts.recent(Number.MAX_SAFE_INTEGER)) {
    const quota = await to.quotas.get(alert.quota_name);
    if (!quota) continue;
    const fired = await to.alerts.fire({
      quota_id: quota.id,
      period_start: alert.period_start,
      threshold: alert.threshold,
      used_amount: alert.used_amount,
      limit_amount: alert.limit_amount,
      message: alert.message,
      fired_at: alert.fired_at,
      delivery: alert.delivery,
      session: alert.session,
    });
    if (!fired) continue; // the target has this quota, period and threshold already
    report.alertsCopied++;
    if (alert.delivery_attempts > 0)
      await to.alerts.recordAttempt(fired.id, {
        delivery: alert.delivery,
        attempts: alert.delivery_attempts,
        error: alert.last_error,
        at: alert.delivered_at ?? alert.fired_at,
      });
  }
  return report;
}
