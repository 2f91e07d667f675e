/**
 * What the usage view tests share: a harness whose ledger holds a known day of calls (with
 * HTML in model, client and error text) and one quota, and the figures those rows add up to,
 * counted here from the rows themselves rather than through the queries under test.
 */
import type { CallRecord } from '../../src/ledger/calls.js';
import { setQuota } from '../../src/quotas/manage.js';
import { startHarness, type Harness } from './harness.js';
import { callRecord } from './ledger.js';
import { closedPortUrl } from './quota-harness.js';

export const XSS_MODEL = '<img src=x onerror="window.__xss=1">';
export const XSS_CLIENT = '<b id="xss-client">Cursor</b>';
export const XSS_ERROR = '<script>window.__xss=2</script>Rate limit reached';
const MIN = 60_000;

export function seededRows(now: number): CallRecord[] {
  const at = (minutesAgo: number) => now - minutesAgo * MIN;
  return [
    callRecord({
      ts: at(300),
      model_used: 'gpt-4o-mini',
      cost_nano_usd: 1_000_000,
      prompt_tokens: 100,
      completion_tokens: 50,
    }),
    callRecord({
      ts: at(200),
      model_used: 'gpt-4o-mini',
      cost_nano_usd: 1_000_000,
      prompt_tokens: 120,
      completion_tokens: 40,
    }),
    callRecord({
      ts: at(100),
      model_used: XSS_MODEL,
      client: XSS_CLIENT,
      cost_nano_usd: 2_500_000,
      prompt_tokens: 300,
    }),
    callRecord({
      ts: at(50),
      status: 'error',
      model_used: null,
      http_status: 429,
      error_type: 'rate_limit',
      error_message: XSS_ERROR,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost_nano_usd: null,
    }),
    callRecord({ ts: now - 3 * 24 * 60 * MIN, prompt_tokens: 99_999, cost_nano_usd: 999_999_000 }), // before the 24h period
  ];
}

/** Sums over the rows inside [from, now]: what show_usage must report for since=24h. */
export function expectedTotals(rows: readonly CallRecord[], from: number) {
  const inside = rows.filter((r) => r.ts >= from);
  const sum = (pick: (r: CallRecord) => number) => inside.reduce((total, r) => total + pick(r), 0);
  return {
    requests: inside.length,
    errors: inside.filter((r) => r.status === 'error').length,
    prompt_tokens: sum((r) => r.prompt_tokens),
    completion_tokens: sum((r) => r.completion_tokens),
    cost_usd: sum((r) => r.cost_nano_usd ?? 0) / 1e9,
  };
}

/** A port nothing listens on, so the dashboard probe finds no sidecar. */
export async function closedPort(): Promise<number> {
  return Number(new URL(await closedPortUrl()).port);
}

export interface UsageViewHarness extends Harness {
  rows: CallRecord[];
  now: number;
}

/** A harness over the seeded ledger with a daily cost quota; `port` is where it looks for the sidecar. */
export async function startUsageViewHarness(port: number, clientName?: string): Promise<UsageViewHarness> {
  const h = await startHarness({
    env: { COMETAPI_MCP_PORT: String(port) },
    ...(clientName ? { clientName } : {}),
  });
  const now = Date.now();
  const rows = seededRows(now);
  for (const row of rows) await h.runtime.store.calls.record(row);
  await setQuota(
    h.runtime.store.quotas,
    { name: 'daily-cost', metric: 'cost', period: 'day', limit: 0.01, thresholds: [50, 80, 100] },
    { defaultTimeZone: h.config.timeZone, now, mode: 'upsert' },
  );
  return { ...h, rows, now };
}
