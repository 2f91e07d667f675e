/** `cometapi-mcp balance` and `reconcile` in the terminal, in the catalogs' language. */
import type { Translate } from '../i18n.js';
import { nanoFromUsd, type BalanceRule } from '../ledger/store.js';
import { formatAmount } from '../quotas/format.js';
import type { BalanceState, PresentedDay, PresentedReconciliation } from './present.js';

const money = (usd: number | null) => (usd === null ? '—' : formatAmount('cost', nanoFromUsd(usd)));
const signed = (usd: number | null) => (usd === null ? '—' : `${usd < 0 ? '-' : '+'}${money(Math.abs(usd))}`);
const percent = (value: number | null) => (value === null ? '—' : `${value > 0 ? '+' : ''}${value.toFixed(1)} %`);

export function formatBalance(state: BalanceState, rules: readonly BalanceRule[], t: Translate): string {
  const lines: string[] = [];
  if (state.balance_usd === null) lines.push(t('balance.never'));
  else {
    lines.push(
      `${t('balance.title')}: ${money(state.balance_usd)}  (${t('balance.asOf', { time: state.as_of ?? '' })}, ${state.source ?? ''})`,
    );
    lines.push(
      `${t('balance.spent')}: ${money(state.used_usd)}, ${t('balance.requests', { count: state.requests ?? 0 })}`,
    );
    if (state.key_name !== null)
      lines.push(
        state.key_remaining_usd === null
          ? t('balance.keyUnlimited', { name: state.key_name })
          : t('balance.keyLeft', { name: state.key_name, amount: money(state.key_remaining_usd) }),
      );
  }
  if (state.error) lines.push(t('balance.failed', { error: state.error, time: state.error_at ?? '' }));
  for (const rule of rules)
    lines.push(
      t(rule.armed ? 'balance.ruleArmed' : 'balance.ruleFired', {
        name: rule.name,
        amount: formatAmount('cost', rule.below_nano),
      }),
    );
  return lines.join('\n');
}

export function causeText(day: Pick<PresentedDay, 'cause' | 'models'>, t: Translate): string {
  if (day.cause === null) return '';
  return t(`reconcile.cause.${day.cause}`, { models: day.models.join(', ') || '?' });
}

export function formatReconciliation(rec: PresentedReconciliation, t: Translate): string {
  const header = [
    t('reconcile.day'),
    t('reconcile.billedRequests'),
    t('reconcile.meteredRequests'),
    t('reconcile.billed'),
    t('reconcile.metered'),
    t('reconcile.difference'),
    '%',
    '',
  ];
  const rows = rec.days.map((d) => [
    d.day,
    d.billed_requests === null ? '—' : String(d.billed_requests),
    String(d.metered_requests),
    money(d.billed_usd),
    money(d.metered_usd),
    signed(d.difference_usd),
    percent(d.difference_percent),
    d.flagged ? `⚠ ${causeText(d, t)}` : '',
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const scope = rec.key_name === null ? t('reconcile.scopeAccount') : t('reconcile.scopeKey', { name: rec.key_name });
  const flagged = rec.days.filter((d) => d.flagged).length;
  const notes = rec.suspects.map((s) =>
    t('reconcile.suspect', { model: s.model, change: percent(s.implied_change_percent) }),
  );
  return [
    `${t('reconcile.title')} — ${scope}; ${t('reconcile.zone', { zone: rec.time_zone })}`,
    line(header),
    ...rows.map(line),
    flagged === 0 ? t('reconcile.allMatch') : t('reconcile.flagged', { count: flagged }),
    ...notes,
  ].join('\n');
}
