import type { QuotaMetric, ScopeKind } from '../quotas/schema.js';
import type { Period } from '../time.js';
import { nanoFromUsd, usdFromNano } from './calls.js';

/** A stored quota. Amounts are integers in the quota's unit: nano-USD for cost, else a count. */
export interface Quota {
  id: number;
  name: string;
  scope: ScopeKind;
  scope_value: string | null;
  metric: QuotaMetric;
  period: Period;
  time_zone: string;
  limit_amount: number;
  thresholds: number[];
  hard: boolean;
  created_at: number;
  updated_at: number;
}

export interface QuotaRow extends Omit<Quota, 'thresholds' | 'hard'> {
  thresholds: string;
  hard: 0 | 1;
}

/** USD for cost, the plain count for the rest: what people type and read. */
export const toAmount = (metric: QuotaMetric, value: number): number =>
  metric === 'cost' ? nanoFromUsd(value) : Math.round(value);
export const fromAmount = (metric: QuotaMetric, amount: number): number =>
  metric === 'cost' ? usdFromNano(amount) : amount;

export function quotaFromRow(row: QuotaRow): Quota {
  return { ...row, thresholds: parseThresholds(row.thresholds), hard: row.hard === 1 };
}

/** A hand-edited row must not break every call: fall back to the defaults. */
function parseThresholds(text: string): number[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v): v is number => typeof v === 'number' && v > 0)) return value;
  } catch {
    // fall through
  }
  return [50, 80, 100];
}
