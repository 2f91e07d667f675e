import { fromAmount, type Quota } from '../ledger/quotas.js';
import { zoneParts } from '../time.js';
import { formatUsd } from '../usage-format.js';
import { formatScope, type QuotaMetric } from './schema.js';
import type { PeriodWindow } from './state.js';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "$5.00", "$0.0042", "12,345 tokens", "20 requests", "3 images". */
export function formatAmount(metric: QuotaMetric, amount: number): string {
  if (metric === 'cost') {
    return formatUsd(fromAmount('cost', amount));
  }
  return `${count.format(amount)} ${metric}`;
}

/** The number alone, as `--limit` takes it: "5", "0.5", "100000". */
export function formatLimitArg(metric: QuotaMetric, amount: number): string {
  return String(fromAmount(metric, amount));
}

const PERIOD_WORDS = { day: 'today', week: 'this week', month: 'this month' } as const;

/** "2025-06-02 00:00", the wall-clock time in the zone. */
export function localDateTime(ts: number, timeZone: string): string {
  const p = zoneParts(ts, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

/** "quota 'daily-cost' (model=gpt-4o)" — the scope only when it narrows the quota. */
function quotaLabel(quota: Quota): string {
  return quota.scope === 'global'
    ? `quota '${quota.name}'`
    : `quota '${quota.name}' (${formatScope({ kind: quota.scope, value: quota.scope_value })})`;
}

function usedPhrase(quota: Quota, usedAmount: number): string {
  return `${formatAmount(quota.metric, usedAmount)} of ${formatAmount(quota.metric, quota.limit_amount)} used ${PERIOD_WORDS[quota.period]} (${quota.time_zone})`;
}

/** The smallest of 1, 2, 2.5, 5 × a power of ten that is at least `amount`: a limit a person would pick. */
export function niceCeil(amount: number): number {
  if (amount <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(amount));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= amount) ?? 10;
  return Math.ceil(step * magnitude);
}

/** A guess (double it, or enough for this call), but a concrete command is easier to act on than "raise the limit". */
function raiseHint(quota: Quota, window: PeriodWindow, needed: number): string {
  const doubled = quota.limit_amount * 2;
  const raised = formatLimitArg(quota.metric, doubled >= needed ? doubled : niceCeil(needed));
  return `raise it with \`cometapi-mcp quota set --name ${quota.name} --limit ${raised}\` (or on the dashboard) or wait until ${localDateTime(window.end, quota.time_zone)}`;
}

/** The refusal an MCP client or proxy caller sees when a hard quota blocks a call. */
export function blockedMessage(quota: Quota, usedAmount: number, needAmount: number, window: PeriodWindow): string {
  if (usedAmount >= quota.limit_amount) {
    return `${quotaLabel(quota)} reached: ${usedPhrase(quota, usedAmount)}; ${raiseHint(quota, window, usedAmount + needAmount)}`;
  }
  return (
    `${quotaLabel(quota)} would be exceeded: ${usedPhrase(quota, usedAmount)}, and this call may use up to ` +
    `${formatAmount(quota.metric, needAmount)}; lower max_tokens, or ${raiseHint(quota, window, usedAmount + needAmount)}`
  );
}

/**
 * A hard cost quota cannot bound a model with no price, so such calls are refused
 * (docs/decisions/0015-quota-estimates.md).
 */
export function unpricedMessage(quota: Quota, model: string): string {
  return (
    `${quotaLabel(quota)} is a hard cost limit, but model '${model}' has no known price, so its cost cannot be counted. ` +
    `Add its price to the JSON file named by COMETAPI_MCP_PRICES, choose a priced model (see list_models), ` +
    `or make the quota soft with \`cometapi-mcp quota set --name ${quota.name} --soft\``
  );
}

export function alertMessage(
  quota: Quota,
  threshold: number,
  usedAmount: number,
  window: PeriodWindow,
  refused: boolean,
): string {
  const percent = Math.round((usedAmount / quota.limit_amount) * 1000) / 10;
  // A hard quota refuses a call that would pass the limit, so it can refuse below 100%: say so.
  const head =
    usedAmount * 100 >= threshold * quota.limit_amount
      ? `${quotaLabel(quota)} passed ${threshold}%: ${usedPhrase(quota, usedAmount)} (${percent}%)`
      : `${quotaLabel(quota)} refused a call that would have passed ${threshold}%: ${usedPhrase(quota, usedAmount)} (${percent}%)`;
  const tail = refused
    ? `; calls that would pass the limit are refused until ${localDateTime(window.end, quota.time_zone)}`
    : quota.hard
      ? `; calls will be refused at the limit (period resets ${localDateTime(window.end, quota.time_zone)})`
      : `; soft quota, calls continue (period resets ${localDateTime(window.end, quota.time_zone)})`;
  return head + tail;
}
