// CometAPI balance in the header, a banner for low-balance alerts, and the reconciliation panel
// (what CometAPI billed per day beside what the ledger metered). Mounted through registerPanel;
// text from the server (key names, models, errors) reaches the page through el()/textContent only.
import { registerPanel } from './app.js';
import { describeApiError, sendJSON } from './api.js';
import { createAlertBanner } from './banner.js';
import { createRuleEditor } from './balance-rules.js';
import { clear, el, emptyRow, tableHead } from './dom.js';

const SEEN_KEY = 'cometapi-mcp.balance-alerts-seen';

/** "Balance $24.98" for the header, with when and where it was read (and any failure since) as its title. */
function renderHeader(header, state, ctx) {
  const { t } = ctx.i18n;
  const read =
    state.balance_usd === null
      ? t('balance.never')
      : t('balance.headerTitle', { time: ctx.format.full(Date.parse(state.as_of)), source: state.source ?? '' });
  const failed = state.error
    ? t('balance.failed', { time: ctx.format.full(Date.parse(state.error_at)), error: state.error })
    : '';
  header.title = [read, failed].filter(Boolean).join('\n');
  clear(header).append(
    el('span', { className: 'balance-label' }, t('balance.header')),
    ' ',
    el(
      'strong',
      { id: 'balance-usd', 'data-value': state.balance_usd ?? '' },
      state.balance_usd === null ? '–' : ctx.format.usd(state.balance_usd),
    ),
    state.error ? el('span', { className: 'balance-stale', 'aria-label': failed }, ' ⚠') : '',
  );
}

function causeText(day, t) {
  return day.cause ? t(`reconcile.cause.${day.cause}`, { models: day.models.join(', ') || '?' }) : '';
}

function signedPercent(value, ctx) {
  return value === null ? '–' : `${value > 0 ? '+' : ''}${ctx.format.percentOf(value)}`;
}

function reconcileTable(rec, ctx) {
  const { t } = ctx.i18n;
  const f = ctx.format;
  const head = tableHead(
    [t('reconcile.day')],
    [t('reconcile.billedRequests'), 'num'],
    [t('reconcile.meteredRequests'), 'num'],
    [t('reconcile.billed'), 'num'],
    [t('reconcile.metered'), 'num'],
    [t('reconcile.difference'), 'num'],
    ['%', 'num'],
    [t('reconcile.causeColumn')],
  );
  const rows =
    rec.days.length === 0
      ? [emptyRow(8, t('reconcile.none'))]
      : rec.days.map((d) =>
          el(
            'tr',
            { className: d.flagged ? 'drift-flagged' : '', 'data-day': d.day, 'data-flagged': d.flagged },
            el('td', {}, d.day),
            el('td', { className: 'num' }, d.billed_requests === null ? '–' : f.int(d.billed_requests)),
            el('td', { className: 'num' }, f.int(d.metered_requests)),
            el('td', { className: 'num' }, f.usd(d.billed_usd)),
            el('td', { className: 'num' }, f.usd(d.metered_usd)),
            el('td', { className: 'num' }, f.usd(d.difference_usd)),
            el('td', { className: 'num' }, signedPercent(d.difference_percent, ctx)),
            el('td', { className: 'drift-cause' }, d.flagged ? `⚠ ${causeText(d, t)}` : ''),
          ),
        );
  return el('table', { id: 'reconcile-table' }, head, el('tbody', {}, ...rows));
}

function createBalancePanel() {
  let root = null;
  let header = null;
  let banner = null;
  let ctx = null;
  let rules = null;

  function renderReconciliation(rec) {
    const { t } = ctx.i18n;
    const scope = rec.key_name === null ? t('reconcile.scopeAccount') : t('reconcile.scopeKey', { name: rec.key_name });
    const meta = [scope, t('reconcile.zone', { zone: rec.time_zone })];
    if (rec.run_at) meta.push(t('reconcile.ranAt', { time: ctx.format.full(Date.parse(rec.run_at)) }));
    const flagged = rec.days.filter((d) => d.flagged).length;
    const summary =
      rec.days.length === 0 ? '' : flagged === 0 ? t('reconcile.allMatch') : t('reconcile.flagged', { count: flagged });
    root.querySelector('.reconcile-meta').textContent = meta.join(' · ');
    root.querySelector('.reconcile-summary').textContent = summary;
    root
      .querySelector('.reconcile-slot')
      .replaceChildren(el('div', { className: 'table-wrap' }, reconcileTable(rec, ctx)));
  }

  function showError(error) {
    const slot = root?.querySelector('.reconcile-error');
    if (!slot) return;
    slot.hidden = !error;
    slot.textContent = error ? ctx.i18n.t('reconcile.failed', { error: describeApiError(error, ctx.i18n) }) : '';
  }

  async function runNow(button) {
    button.disabled = true;
    button.textContent = ctx.i18n.t('reconcile.running');
    try {
      const body = await sendJSON('POST', '/api/reconcile?since=7d');
      showError(null);
      renderReconciliation(body);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      button.textContent = ctx.i18n.t('reconcile.run');
    }
  }

  function showState(state) {
    renderHeader(header, state, ctx);
    banner.render(state.alerts);
    rules.render(state.rules);
  }

  async function refresh(context) {
    ctx = context ?? ctx;
    if (!root || !ctx) return;
    const [state, rec] = await Promise.all([ctx.getJSON('/api/balance'), ctx.getJSON('/api/reconcile')]);
    showState(state);
    renderReconciliation(rec);
  }

  return {
    id: 'balance',
    mount(container, context) {
      ctx = context;
      root = container;
      const { t } = context.i18n;
      header = el('div', { id: 'balance-header', className: 'balance' });
      document.getElementById('live')?.before(header);
      // English shows the alert's own sentence; other languages the balance it fired at.
      banner = createAlertBanner({
        id: 'balance-alert-banner',
        seenKey: SEEN_KEY,
        i18n: () => ctx.i18n,
        title: () => ctx.i18n.t('balance.alertBanner'),
        text: (alert) => (ctx.i18n.locale === 'en' ? alert.message : ctx.format.usd(alert.balance_usd)),
      });
      rules = createRuleEditor(() => ctx, showState);
      const button = el(
        'button',
        { type: 'button', id: 'reconcile-run', onclick: () => runNow(button) },
        t('reconcile.run'),
      );
      container.append(
        el('div', { className: 'reconcile-head' }, el('h2', {}, t('reconcile.title')), button),
        el('p', { className: 'muted reconcile-meta' }),
        el('p', { className: 'quota-error reconcile-error', role: 'alert', hidden: true }),
        el('div', { className: 'reconcile-slot' }),
        el('p', { className: 'reconcile-summary' }),
        rules.element,
      );
      refresh(context).catch(showError);
    },
    refresh: (context) => refresh(context).catch(showError),
  };
}

registerPanel(createBalancePanel());
