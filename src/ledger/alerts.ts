import type { QuotaMetric } from '../quotas/schema.js';

export type AlertDelivery = 'pending' | 'delivered' | 'failed' | 'no-webhook';

export interface NewAlert {
  quota_id: number;
  period_start: number;
  threshold: number;
  used_amount: number;
  limit_amount: number;
  message: string;
  fired_at: number;
  delivery: AlertDelivery;
  /** The session a per-session quota fired for; '' for every other quota (migration 0010). */
  session?: string;
}

/** A fired alert, joined with its quota's name and metric for display. */
export interface Alert extends NewAlert {
  id: number;
  session: string;
  quota_name: string;
  metric: QuotaMetric;
  delivery_attempts: number;
  last_error: string | null;
  delivered_at: number | null;
}
