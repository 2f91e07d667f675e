import type { Db } from './open.js';
import type { QuotaInput, QuotaMetric, ScopeKind } from '../quotas/schema.js';
import type { Period } from '../time.js';

/** A stored quota. Amounts are integers in the quota's unit: micro-USD for cost, else a count. */
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

interface QuotaRow extends Omit<Quota, 'thresholds' | 'hard'> {
  thresholds: string;
  hard: 0 | 1;
}

/** USD for cost, the plain count for the rest: what people type and read. */
export const toAmount = (metric: QuotaMetric, value: number): number =>
  metric === 'cost' ? Math.round(value * 1e6) : Math.round(value);
export const fromAmount = (metric: QuotaMetric, amount: number): number => (metric === 'cost' ? amount / 1e6 : amount);

export interface QuotasRepo {
  list(): Quota[];
  get(name: string): Quota | undefined;
  /** Creates or replaces the quota of that name; returns it as stored. */
  upsert(input: QuotaInput, now: number): Quota;
  /** Returns false when there was no quota of that name. */
  remove(name: string): boolean;
}

function fromRow(row: QuotaRow): Quota {
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

export function createQuotasRepo(db: Db): QuotasRepo {
  const listStmt = db.prepare<[], QuotaRow>('SELECT * FROM quotas ORDER BY name');
  const getStmt = db.prepare<[string], QuotaRow>('SELECT * FROM quotas WHERE name = ?');
  // ON CONFLICT keeps the row's id, so alerts already fired for this quota stay attached to it.
  const upsertStmt = db.prepare(
    `INSERT INTO quotas (name, scope, scope_value, metric, period, time_zone, limit_amount, thresholds, hard, created_at, updated_at)
     VALUES (@name, @scope, @scope_value, @metric, @period, @time_zone, @limit_amount, @thresholds, @hard, @now, @now)
     ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, scope_value = excluded.scope_value, metric = excluded.metric,
       period = excluded.period, time_zone = excluded.time_zone, limit_amount = excluded.limit_amount,
       thresholds = excluded.thresholds, hard = excluded.hard, updated_at = excluded.updated_at`,
  );
  const removeStmt = db.prepare('DELETE FROM quotas WHERE name = ?');
  return {
    list: () => listStmt.all().map(fromRow),
    get: (name) => {
      const row = getStmt.get(name);
      return row ? fromRow(row) : undefined;
    },
    upsert(input, now) {
      upsertStmt.run({
        name: input.name,
        scope: input.scope.kind,
        scope_value: input.scope.value,
        metric: input.metric,
        period: input.period,
        time_zone: input.time_zone,
        limit_amount: toAmount(input.metric, input.limit),
        thresholds: JSON.stringify(input.thresholds),
        hard: input.hard ? 1 : 0,
        now,
      });
      const stored = getStmt.get(input.name);
      if (!stored) throw new Error(`quota ${input.name} vanished after being written`);
      return fromRow(stored);
    },
    remove: (name) => removeStmt.run(name).changes > 0,
  };
}
