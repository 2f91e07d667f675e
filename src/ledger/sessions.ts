import { usdFromNano } from './calls.js';
import type { TimeRange } from './queries/range.js';
import type { UsageRow } from './usage-report.js';

/** One session's calls in a range: the Sessions view. Its sums mean what a usage report's do. */
export interface SessionSummary extends Pick<
  UsageRow,
  'requests' | 'errors' | 'blocked' | 'prompt_tokens' | 'completion_tokens' | 'cost_usd'
> {
  session: string;
  /** The client that made its calls (the greatest name, should one session have several). */
  client: string | null;
  first_ts: number;
  last_ts: number;
  images: number;
}

/** Sums as an engine returns them; cost in the ledger's unit. */
export type RawSessionSummary = Omit<SessionSummary, 'cost_usd'> & { cost_nano_usd: number };

export interface SessionStore {
  /** Sessions with calls in the range, the most expensive first (then the busiest), at most `limit`. */
  list(range: TimeRange, limit: number): Promise<SessionSummary[]>;
}

/** What every engine's query selects; only the cost expression differs by engine. */
export const sessionListSql = (sum: (condition: string) => string, from: string, to: string, limit: string): string => `
  SELECT session, MAX(client) AS client, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(*) AS requests,
         ${sum("status = 'error'")} AS errors, ${sum("status = 'blocked'")} AS blocked,
         COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
         COALESCE(SUM(images), 0) AS images, COALESCE(SUM(cost_nano_usd), 0) AS cost_nano_usd
    FROM calls WHERE session IS NOT NULL AND ts >= ${from} AND ts < ${to}
   GROUP BY session ORDER BY cost_nano_usd DESC, requests DESC, session LIMIT ${limit}`;

export const presentSession = ({ cost_nano_usd, ...rest }: RawSessionSummary): SessionSummary => ({
  ...rest,
  cost_usd: usdFromNano(cost_nano_usd),
});
