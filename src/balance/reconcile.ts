/**
 * Reconciliation: per billing day (in the billing zone), what CometAPI billed beside what the
 * ledger metered, the difference, and the likely cause when they are more than 2 % apart:
 * request counts that differ mean calls made outside this tool; matching counts with unpriced
 * calls mean models without a price; matching counts otherwise mean a stale price, with the
 * models that best explain the gap (attribute.ts). See decision 0023.
 */
import { BadInputError } from '../errors.js';
import type { LedgerStore, MeteredModel, ReconcileDay } from '../ledger/store.js';
import { localDate, periodEnd, periodStart } from '../time.js';
import { nanoFromUsd } from '../ledger/store.js';
import type { QueryService } from '../upstream/query-service.js';
import { attributeGap, type Suspect } from './attribute.js';

/** Days further apart than this (in % of the metered figure) are flagged. */
export const DRIFT_PERCENT = 2;
export const MAX_RECONCILE_DAYS = 90;

/** "7d" → 7 billing days, today included. */
export function parseDays(text: string): number {
  const match = /^(\d{1,3})d$/.exec(text.trim());
  const days = match ? Number(match[1]) : Number.NaN;
  if (!(days >= 1 && days <= MAX_RECONCILE_DAYS))
    throw new BadInputError(
      `--since must be a number of days from 1d to ${MAX_RECONCILE_DAYS}d, e.g. 7d (got "${text}")`,
    );
  return days;
}

export interface ReconcileDeps {
  store: LedgerStore;
  service: QueryService;
  provider: string;
  clock: () => number;
  timeZone: string;
  /** How many billing days, today included. */
  days: number;
}

export interface Reconciliation {
  days: ReconcileDay[];
  time_zone: string;
  key_name: string | null;
  /** Models that would explain the stale-price days, best first, with the price change each implies. */
  suspects: Suspect[];
}

interface DaySpan {
  day: string;
  start: number;
  end: number;
}

function daySpans(now: number, count: number, timeZone: string): DaySpan[] {
  const spans: DaySpan[] = [];
  let start = periodStart(now, 'day', timeZone);
  for (let i = 0; i < count; i++) {
    spans.unshift({ day: localDate(start, timeZone), start, end: periodEnd(start, 'day', timeZone) });
    start = periodStart(start - 1, 'day', timeZone);
  }
  return spans;
}

/** Percent difference of billed over metered; null when either side is unknown or both are zero. */
export function driftPercent(billed: number | null, metered: number): number | null {
  if (billed === null) return null;
  if (metered === 0) return billed === 0 ? 0 : 100;
  return ((billed - metered) / metered) * 100;
}

function judge(span: DaySpan, billed: { requests: number; usd: number } | undefined, models: MeteredModel[]) {
  const meteredRequests = models.reduce((n, m) => n + m.requests, 0);
  const meteredNano = models.reduce((n, m) => n + m.cost_nano, 0);
  const unpricedModels = models.filter((m) => m.unpriced > 0).map((m) => m.model);
  const billedNano = billed ? nanoFromUsd(billed.usd) : null;
  const base = {
    day: span.day,
    billed_requests: billed?.requests ?? null,
    billed_nano: billedNano,
    metered_requests: meteredRequests,
    metered_nano: meteredNano,
    unpriced: models.reduce((n, m) => n + m.unpriced, 0),
  };
  if (!billed) {
    const missing = meteredRequests > 0;
    return { ...base, flagged: missing, cause: missing ? ('missing-day' as const) : null, models: [] };
  }
  const money = driftPercent(billedNano, meteredNano) ?? 0;
  const counts = driftPercent(billed.requests, meteredRequests) ?? 0;
  const flagged = Math.abs(money) > DRIFT_PERCENT || Math.abs(counts) > DRIFT_PERCENT;
  if (!flagged) return { ...base, flagged, cause: null, models: [] };
  if (billed.requests !== meteredRequests) return { ...base, flagged, cause: 'outside-traffic' as const, models: [] };
  if (unpricedModels.length > 0) return { ...base, flagged, cause: 'unpriced-models' as const, models: unpricedModels };
  return { ...base, flagged, cause: 'stale-price' as const, models: [] };
}

/** Runs one reconciliation over the last `deps.days` billing days; stores it when asked. */
export async function reconcileDays(deps: ReconcileDeps, options: { store: boolean }): Promise<Reconciliation> {
  const now = deps.clock();
  const spans = daySpans(now, Math.min(Math.max(1, deps.days), MAX_RECONCILE_DAYS), deps.timeZone);
  const first = spans[0]?.day ?? localDate(now, deps.timeZone);
  const answer = await deps.service.fetchQuota({ from: first, to: spans.at(-1)?.day ?? first });
  const perDay = await Promise.all(
    spans.map((span) => deps.store.balance.meteredByModel(deps.provider, span.start, span.end)),
  );
  const judged = spans.map((span, i) => judge(span, answer.days.get(span.day), perDay[i] ?? []));
  // Every day whose counts match carries evidence: a gap, or none (which clears its models).
  const evidence = judged.flatMap((d, i) =>
    d.billed_nano !== null && d.billed_requests === d.metered_requests && d.unpriced === 0
      ? [
          {
            gapNano: d.billed_nano - d.metered_nano,
            byModel: new Map((perDay[i] ?? []).map((m) => [m.model, m.cost_nano])),
          },
        ]
      : [],
  );
  const suspects = judged.some((d) => d.cause === 'stale-price') ? attributeGap(evidence) : [];
  const named = new Set(suspects.map((s) => s.model));
  const days = judged.map((d, i): ReconcileDay => ({
    ...d,
    run_at: now,
    time_zone: deps.timeZone,
    key_name: answer.key?.name ?? null,
    models:
      d.cause === 'stale-price' ? (perDay[i] ?? []).filter((m) => named.has(m.model)).map((m) => m.model) : d.models,
  }));
  if (options.store) await deps.store.balance.saveReconciliation(days);
  return { days, time_zone: deps.timeZone, key_name: answer.key?.name ?? null, suspects };
}
