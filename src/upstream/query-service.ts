/**
 * CometAPI's query service: `GET {url}/user/quota?key=…` answers the account balance, what was
 * spent, per-key figures and, given start_date/end_date, what was billed per day. The key travels
 * in the query string, so the URL is never logged, stored or shown: errors name the host and the
 * HTTP status only. Every fault becomes a QueryServiceError with a message a person can act on.
 */
import { z } from 'zod';
import type { QueryConfig } from '../config.js';
import { redact } from '../errors.js';

/** Amounts are USD; CometAPI may send numbers as strings. */
const amount = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
const count = amount.pipe(z.number().int().nonnegative());

const dayEntry = z.object({ token_name: z.string(), quota_used: amount, request_count: count });
const quotaBody = z.object({
  total_quota: amount,
  total_used_quota: amount,
  request_count: count,
  keys: z.array(z.object({ name: z.string(), remain_quota: amount, used_quota: amount })).default([]),
  daily_quota: z
    .record(
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates must be YYYY-MM-DD'),
      z.union([z.array(dayEntry), dayEntry.transform((entry) => [entry])]),
    )
    .optional(),
});
type QuotaBody = z.output<typeof quotaBody>;

/** What one key reports; remaining is null when the key is unlimited (-1). */
export interface QueryKey {
  name: string;
  remainingUsd: number | null;
  usedUsd: number;
}

export interface BilledDay {
  requests: number;
  usd: number;
}

export interface QuotaAnswer {
  balanceUsd: number;
  usedUsd: number;
  requests: number;
  keys: QueryKey[];
  /** The configured key's entry; undefined without COMETAPI_KEY_NAME. */
  key: QueryKey | undefined;
  /** Per YYYY-MM-DD: what was billed (for the key name, else the whole account); days absent were not reported. */
  days: Map<string, BilledDay>;
}

export class QueryServiceError extends Error {
  override readonly name = 'QueryServiceError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface QueryService {
  /** Where it asks, fit to show: the host only. */
  readonly host: string;
  fetchQuota(range?: { from: string; to: string }): Promise<QuotaAnswer>;
}

const HINTS: Record<number, string> = {
  401: 'the key was refused; check COMETAPI_QUERY_KEY (or COMETAPI_KEY)',
  403: 'the key may not query the account; check COMETAPI_QUERY_KEY',
  404: 'no /user/quota there; check COMETAPI_QUERY_URL',
  429: 'too many queries; the balance is refreshed again later',
};

export function createQueryService(
  config: QueryConfig,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): QueryService {
  const host = new URL(config.url).host;
  const doFetch = options.fetch ?? fetch;
  const fail = (what: string, status: number | null = null) =>
    new QueryServiceError(`CometAPI query service (${host}): ${what}`, status);

  async function fetchQuota(range?: { from: string; to: string }): Promise<QuotaAnswer> {
    if (!config.key) throw fail('no key to query with; set COMETAPI_QUERY_KEY or COMETAPI_KEY');
    const url = new URL('/user/quota', `${config.url}/`);
    url.searchParams.set('key', config.key);
    if (range) {
      url.searchParams.set('start_date', range.from);
      url.searchParams.set('end_date', range.to);
    }
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const code = cause instanceof Error && 'code' in cause ? String(cause.code) : '';
      const reason =
        cause instanceof Error && cause.name === 'TimeoutError' ? 'no answer in time' : code || 'no answer';
      throw fail(`unreachable (${redact(reason, [config.key])}); the balance shown is the last one stored`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw fail(
        `HTTP ${response.status}${HINTS[response.status] ? `: ${HINTS[response.status]}` : ''}`,
        response.status,
      );
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw fail('answered with something that is not JSON');
    }
    // Some deployments wrap the answer as {success, data}.
    if (typeof json === 'object' && json !== null && 'data' in json && !('total_quota' in json)) json = json.data;
    const parsed = quotaBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail(`answered in an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? '?'})`);
    }
    return answerFrom(parsed.data, config.keyName, fail);
  }

  return { host, fetchQuota };
}

function answerFrom(body: QuotaBody, keyName: string | undefined, fail: (what: string) => Error): QuotaAnswer {
  if (body.total_quota < 0) throw fail(`reported a negative balance (${body.total_quota}); nothing stored`);
  const keys = body.keys.map((k): QueryKey => {
    if (k.remain_quota < 0 && k.remain_quota !== -1) {
      throw fail(`reported a negative remaining quota (${k.remain_quota}) for key "${k.name}"; nothing stored`);
    }
    return { name: k.name, remainingUsd: k.remain_quota === -1 ? null : k.remain_quota, usedUsd: k.used_quota };
  });
  const key = keyName === undefined ? undefined : keys.find((k) => k.name === keyName);
  if (keyName !== undefined && !key) {
    const known = keys.map((k) => k.name).join(', ') || 'none';
    throw fail(`no key named "${keyName}" in this account (keys: ${known}); check COMETAPI_KEY_NAME`);
  }
  const days = new Map<string, BilledDay>();
  for (const [date, entries] of Object.entries(body.daily_quota ?? {})) {
    const mine = keyName === undefined ? entries : entries.filter((e) => e.token_name === keyName);
    days.set(date, {
      requests: mine.reduce((n, e) => n + e.request_count, 0),
      usd: mine.reduce((n, e) => n + e.quota_used, 0),
    });
  }
  return {
    balanceUsd: body.total_quota,
    usedUsd: body.total_used_quota,
    requests: body.request_count,
    keys,
    key,
    days,
  };
}
