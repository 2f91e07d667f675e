import type { Quota } from './quotas.js';
import type { QuotaMetric } from '../quotas/schema.js';

/** The fields of a call a quota's scope can select on. */
export interface CallSubject {
  model: string;
  tool: string;
  client: string | null;
  provider: string;
  session: string | null;
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
    case 'session':
      // As stored (no value) it applies to every call that has a session; applied, to that one session.
      return subject.session !== null && (quota.scope_value === null || subject.session === quota.scope_value);
  }
}

/** The quota as it applies to this call: a session quota counts the call's own session only. */
export function appliedTo<Q extends QuotaUsageKey>(quota: Q, subject: Pick<CallSubject, 'session'>): Q {
  return quota.scope === 'session' ? { ...quota, scope_value: subject.session } : quota;
}

/** Usage caches keep at most this many scope-and-period entries: session quotas add one per session. */
export const MAX_CACHED_USAGE = 4096;

/** Totals in each metric's integer unit (nano-USD for cost). */
export type MetricTotals = Record<QuotaMetric, number>;
