import type { Quota } from './quotas.js';
import type { QuotaMetric } from '../quotas/schema.js';

/** The fields of a call a quota's scope can select on. */
export interface CallSubject {
  model: string;
  tool: string;
  client: string | null;
  provider: string;
}

/** What a usage question needs of a quota: its scope. */
export type QuotaUsageKey = Pick<Quota, 'scope' | 'scope_value'>;

/** A half-open period [start, end) in ms. */
export interface QuotaWindow {
  start: number;
  end: number;
}

export function matchesScope(quota: QuotaUsageKey, subject: CallSubject): boolean {
  switch (quota.scope) {
    case 'global':
      return true;
    case 'model':
      return subject.model === quota.scope_value;
    case 'tool':
      return subject.tool === quota.scope_value;
    case 'client':
      return subject.client === quota.scope_value;
    case 'provider':
      return subject.provider === quota.scope_value;
  }
}

/** Totals in each metric's integer unit (nano-USD for cost). */
export type MetricTotals = Record<QuotaMetric, number>;
