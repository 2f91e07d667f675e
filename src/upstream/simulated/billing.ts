/**
 * The simulated upstream's own bill: every answer it served that used something is charged from a
 * balance at the default price table (times a configurable skew per model), plus a share of
 * "outside" requests made with the same key by something other than cometapi-mcp. It answers
 * `GET /user/quota` the way CometAPI's query service does, so the balance and the reconciliation
 * are tested and demonstrated against what was really served.
 */
import { nanoFromUsd, usdFromNano } from '../../ledger/calls.js';
import { localDate } from '../../time.js';
import { createPriceTable, type BillableUsage } from '../prices.js';
import type { SimRecordedResponse } from './types.js';

export interface SimBillingOptions {
  /** USD the account starts with (default 100). */
  balanceUsd?: number;
  /** Price multipliers per model, e.g. { 'gpt-4o': 1.1 }: CometAPI charging 10 % more than our table. */
  priceSkew?: Readonly<Record<string, number>>;
  /** Outside requests per served request, e.g. 0.25: one more request (like the last) per four served. */
  outsideShare?: number;
  /** The key's name in the account (default "cometapi-mcp"). */
  keyName?: string;
  /** The key's remaining quota in USD; -1 (the default) means unlimited. */
  keyRemainingUsd?: number;
  /** The zone billing days are counted in (default UTC). */
  billingTimeZone?: string;
  /** Days (YYYY-MM-DD) left out of daily_quota, as a report with a gap. */
  omitDays?: readonly string[];
  /** Nano-USD charged for a model the price table does not know (default 1000). */
  unpricedNano?: number;
  clock?: () => number;
}

interface DayBill {
  requests: number;
  nano: number;
}

export interface SimBilling {
  /** Charges what an answer used; `body` is the request, for image counts and speech input. */
  charge(entry: SimRecordedResponse, body: Record<string, unknown>): void;
  /** The /user/quota answer, for a day range like the real service. */
  quota(startDate: string | undefined, endDate: string | undefined): Record<string, unknown>;
  /** Nano-USD charged so far (served plus outside), and requests billed. */
  readonly chargedNano: number;
  readonly billedRequests: number;
  readonly outsideRequests: number;
  /** Adds money to the account, as a top-up does. */
  topUp(usd: number): void;
  reset(): void;
}

const usd = usdFromNano;

export function createSimBilling(options: SimBillingOptions = {}): SimBilling {
  const prices = createPriceTable();
  const clock = options.clock ?? Date.now;
  const zone = options.billingTimeZone ?? 'UTC';
  const keyName = options.keyName ?? 'cometapi-mcp';
  const omitted = new Set(options.omitDays ?? []);
  let startNano = nanoFromUsd(options.balanceUsd ?? 100);
  const days = new Map<string, DayBill>();
  let charged = 0;
  let requests = 0;
  let outside = 0;
  let outsideOwed = 0;

  const bill = (nano: number) => {
    const day = localDate(clock(), zone);
    const entry = days.get(day) ?? { requests: 0, nano: 0 };
    entry.requests += 1;
    entry.nano += nano;
    days.set(day, entry);
    charged += nano;
    requests += 1;
  };

  function costOf(entry: SimRecordedResponse, body: Record<string, unknown>): number | null {
    const images = entry.path.startsWith('/v1/images') ? Number(body.n ?? 1) || 1 : 0;
    const characters = entry.path === '/v1/audio/speech' && typeof body.input === 'string' ? body.input.length : 0;
    if (!entry.usage && images === 0 && characters === 0) return null;
    const usage: BillableUsage = {
      prompt_tokens: entry.usage?.prompt_tokens ?? 0,
      completion_tokens: entry.usage?.completion_tokens ?? 0,
      cached_tokens: entry.usage?.cached_tokens ?? 0,
      cache_write_tokens: entry.usage?.cache_write_tokens ?? 0,
      images,
      characters,
    };
    const base = prices.costNanoUsd(entry.model, usage);
    return base === null ? (options.unpricedNano ?? 1000) : Math.round(base * (options.priceSkew?.[entry.model] ?? 1));
  }

  return {
    charge(entry, body) {
      if (entry.status !== 200 || entry.fault !== null) return;
      const nano = costOf(entry, body);
      if (nano === null) return;
      bill(nano);
      // Deterministic: an outside request (costing the same) each time the owed share reaches one.
      outsideOwed += options.outsideShare ?? 0;
      while (outsideOwed >= 1) {
        outsideOwed -= 1;
        outside += 1;
        bill(nano);
      }
    },
    quota(startDate, endDate) {
      const balance = usd(startNano - charged);
      const answer: Record<string, unknown> = {
        total_quota: balance,
        total_used_quota: usd(charged),
        request_count: requests,
        keys: [{ name: keyName, remain_quota: options.keyRemainingUsd ?? -1, used_quota: usd(charged) }],
      };
      if (startDate && endDate) {
        const daily: Record<string, unknown> = {};
        for (const [day, b] of [...days].sort()) {
          if (day < startDate || day > endDate || omitted.has(day)) continue;
          daily[day] = [{ token_name: keyName, quota_used: usd(b.nano), request_count: b.requests }];
        }
        answer.daily_quota = daily;
      }
      return answer;
    },
    get chargedNano() {
      return charged;
    },
    get billedRequests() {
      return requests;
    },
    get outsideRequests() {
      return outside;
    },
    topUp(usdAmount) {
      startNano += nanoFromUsd(usdAmount);
    },
    reset() {
      days.clear();
      charged = requests = outside = outsideOwed = 0;
    },
  };
}
