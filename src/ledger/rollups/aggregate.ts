/** Additive per-group figures shared by the rollup table, its catch-up and the range queries. */
import { emptyHistogram, type Histogram } from './histogram.js';

/** The dimensions rolled up: 'all' is one group per slot, the rest match the breakdown's. */
export const ROLLUP_DIMS = ['all', 'model', 'tool', 'client', 'provider', 'status'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

const HOUR_MS = 3_600_000;

/**
 * Slot length per dimension. 'all' feeds summaries and time series, whose bucket edges follow the
 * zone's clock: quarter hours make every 1h and 1d bucket in every current zone (offsets are
 * multiples of 15 minutes) whole slots. Breakdowns only have the range's two odd ends, so hours
 * keep their rows (and the reads of a 30-day breakdown) four times fewer.
 */
export const SLOT_MS: Readonly<Record<RollupDim, number>> = {
  all: HOUR_MS / 4,
  model: HOUR_MS,
  tool: HOUR_MS,
  client: HOUR_MS,
  provider: HOUR_MS,
  status: HOUR_MS,
};

export function slotStart(ts: number, slotMs: number): number {
  return ts - (((ts % slotMs) + slotMs) % slotMs);
}

/** Field names equal the call_rollups columns, so SQL rows map onto them directly. */
export interface Totals {
  requests: number;
  ok: number;
  errors: number;
  blocked: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_nano_usd: number;
  unpriced: number;
  estimated: number;
  retries: number;
  images: number;
}

export const TOTAL_FIELDS = [
  'requests',
  'ok',
  'errors',
  'blocked',
  'prompt_tokens',
  'completion_tokens',
  'cost_nano_usd',
  'unpriced',
  'estimated',
  'retries',
  'images',
] as const satisfies readonly (keyof Totals)[];

/** The same Totals summed over raw calls rows, for the parts of a range not covered by whole slots. */
export interface Aggregate extends Totals {
  key: string | null;
  latency: Histogram;
  ttft: Histogram;
}

export function emptyAggregate(key: string | null): Aggregate {
  return {
    key,
    requests: 0,
    ok: 0,
    errors: 0,
    blocked: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_nano_usd: 0,
    unpriced: 0,
    estimated: 0,
    retries: 0,
    images: 0,
    latency: emptyHistogram(),
    ttft: emptyHistogram(),
  };
}

export function addTotals(target: Totals, source: Totals): void {
  for (const f of TOTAL_FIELDS) target[f] += source[f];
}

/** Groups by key, creating empty aggregates on first sight. */
export class AggregateMap {
  readonly groups = new Map<string | null, Aggregate>();

  get(key: string | null): Aggregate {
    let g = this.groups.get(key);
    if (!g) {
      g = emptyAggregate(key);
      this.groups.set(key, g);
    }
    return g;
  }
}
