/**
 * The balance and reconciliation as every surface shows them (JSON API, `--json`, get_usage):
 * USD, ISO times, and the last failure beside the last good figures.
 */
import { z } from 'zod';
import { usdFromNano, type LedgerStore, type ReconcileDay } from '../ledger/store.js';
import { driftPercent } from './reconcile.js';
import type { Suspect } from './attribute.js';

export const balanceStateSchema = z.object({
  /** null until a refresh has succeeded. */
  balance_usd: z.number().nullable(),
  used_usd: z.number().nullable(),
  requests: z.number().nullable(),
  key_name: z.string().nullable(),
  /** null when the key is unlimited or no key name is configured. */
  key_remaining_usd: z.number().nullable(),
  as_of: z.string().nullable(),
  source: z.string().nullable(),
  /** The newest refresh's failure, when it failed after (or without) the figures shown. */
  error: z.string().nullable(),
  error_at: z.string().nullable(),
});
export type BalanceState = z.infer<typeof balanceStateSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const usd = (nano: number | null) => (nano === null ? null : usdFromNano(nano));

export async function readBalanceState(store: LedgerStore): Promise<BalanceState> {
  const [latest, good] = await Promise.all([store.balance.latest(), store.balance.latestGood()]);
  const failed = latest && latest.error !== null ? latest : undefined;
  return {
    balance_usd: usd(good?.balance_nano ?? null),
    used_usd: usd(good?.used_nano ?? null),
    requests: good?.requests ?? null,
    key_name: good?.key_name ?? null,
    key_remaining_usd: usd(good?.key_remaining_nano ?? null),
    as_of: good ? iso(good.taken_at) : null,
    source: (good ?? latest)?.source ?? null,
    error: failed?.error ?? null,
    error_at: failed ? iso(failed.taken_at) : null,
  };
}

export interface PresentedDay {
  day: string;
  billed_requests: number | null;
  metered_requests: number;
  billed_usd: number | null;
  metered_usd: number;
  difference_usd: number | null;
  difference_percent: number | null;
  flagged: boolean;
  cause: ReconcileDay['cause'];
  models: string[];
  unpriced_calls: number;
}

export interface PresentedReconciliation {
  run_at: string | null;
  time_zone: string;
  key_name: string | null;
  days: PresentedDay[];
  suspects: { model: string; implied_change_percent: number }[];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function presentReconciliation(
  days: readonly ReconcileDay[],
  timeZone: string,
  suspects: readonly Suspect[] = [],
): PresentedReconciliation {
  return {
    run_at: days[0] ? iso(days[0].run_at) : null,
    time_zone: days[0]?.time_zone ?? timeZone,
    key_name: days[0]?.key_name ?? null,
    days: days.map((d) => {
      const percent = driftPercent(d.billed_nano, d.metered_nano);
      return {
        day: d.day,
        billed_requests: d.billed_requests,
        metered_requests: d.metered_requests,
        billed_usd: usd(d.billed_nano),
        metered_usd: usdFromNano(d.metered_nano),
        difference_usd: d.billed_nano === null ? null : usdFromNano(d.billed_nano - d.metered_nano),
        difference_percent: percent === null ? null : round(percent, 2),
        flagged: d.flagged,
        cause: d.cause,
        models: d.models,
        unpriced_calls: d.unpriced,
      };
    }),
    suspects: suspects.map((s) => ({ model: s.model, implied_change_percent: round(s.impliedChange * 100, 1) })),
  };
}
