// Quota editor, progress bars and alerts for the dashboard, mounted in <section id="quotas"> through
// registerPanel. Everything from the ledger (names, scopes, alert messages, webhook errors) reaches
// the page through el()/textContent only, never innerHTML.
import { registerPanel } from './app.js';
import { ApiError, describeApiError, sendJSON as send } from './api.js';
import { createAlertBanner } from './banner.js';
import { clear, el, emptyRow, tableHead } from './dom.js';

const METRICS = ['cost', 'tokens', 'requests', 'images'];
const PERIODS = ['day', 'week', 'month'];
const SCOPES = ['global', 'model', 'tool', 'client', 'provider', 'session'];
// Scopes with no value: everything, or each session on its own.
const VALUELESS = new Set(['global', 'session']);
const SEEN_KEY = 'cometapi-mcp.alerts-seen';

function amount({ format, i18n }, metric, value) {
  return metric === 'cost' ? format.usd(value) : i18n.t(`amount.${metric}`, { count: Math.round(value) });
}

/** The form's label for an API field name, so a refused field reads as the reader saw it. */
const FIELD_LABELS = {
  name: 'form.name',
  metric: 'form.metric',
  period: 'form.period',
  limit: 'form.limit',
  scope: 'form.scope',
  thresholds: 'form.thresholds',
  hard: 'form.hardField',
  time_zone: 'form.timeZone',
};

/**
 * One refused field in the reader's language. English shows the API's own message, which also
 * names the value it got; other languages the catalog's sentence for the issue's code.
 */
function issueText(issue, i18n) {
  if (i18n.locale === 'en') return issue.field ? `${issue.field}: ${issue.message}` : issue.message;
  const key = issue.code === 'invalid' ? `quotaIssue.invalid.${issue.field}` : `quotaIssue.${issue.code}`;
  const field = Object.hasOwn(FIELD_LABELS, issue.field) ? i18n.t(FIELD_LABELS[issue.field]) : issue.field;
  return i18n.t(i18n.has(key) ? key : 'quotaIssue.other', { field });
}

/** The alert's own sentence in English; elsewhere one built from its figures. */
function alertText(alert, ctx) {
  if (ctx.i18n.locale === 'en') return alert.message;
  return ctx.i18n.t('alert.message', {
    quota: alert.quota,
    threshold: ctx.format.percentOf(alert.threshold),
    used: amount(ctx, alert.metric, alert.used),
    limit: amount(ctx, alert.metric, alert.limit),
    percent: ctx.format.percentOf(alert.percent),
  });
}

/** Green below the first warning threshold's neighbourhood, amber from 80 %, red at the limit. */
function level(percent) {
  return percent >= 100 ? 'over' : percent >= 80 ? 'warn' : 'ok';
}

function progressBar(q, { format, i18n }) {
  const { t } = i18n;
  const fill = el('span', { className: 'quota-fill' });
  fill.style.width = `${Math.min(q.percent, 100)}%`;
  const forecast = el('span', {
    className: 'quota-forecast',
    title: t(`quota.forecastTitle.${q.period}`, { percent: format.percentOf(q.forecast_percent) }),
  });
  forecast.style.left = `${Math.min(q.forecast_percent, 100)}%`;
  const ticks = q.thresholds
    .filter((p) => p < 100)
    .map((p) => {
      const tick = el('span', {
        className: 'quota-tick',
        title: i18n.t('quota.tick', { percent: format.percentOf(p) }),
      });
      tick.style.left = `${p}%`;
      return tick;
    });
  return el(
    'div',
    {
      className: `quota-bar ${level(q.percent)}`,
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.min(q.percent, 100),
      'aria-label': t('quota.barLabel', { name: q.name, percent: format.percentOf(q.percent) }),
    },
    fill,
    forecast,
    ...ticks,
  );
}

function quotaRow(q, ctx, actions) {
  const f = ctx.format;
  const { t } = ctx.i18n;
  return el(
    'li',
    { className: 'quota', 'data-quota': q.name, 'data-percent': q.percent },
    el(
      'div',
      { className: 'quota-head' },
      el('strong', { className: 'quota-name' }, q.name),
      el('span', { className: 'quota-scope' }, VALUELESS.has(q.scope) ? t(`scope.${q.scope}`) : q.scope),
      el('span', { className: 'muted' }, t(`quota.per.${q.period}`, { metric: t(`metric.${q.metric}`) })),
      el(
        'span',
        {
          className: `quota-kind ${q.hard ? 'hard' : 'soft'}`,
          title: t(q.hard ? 'quota.hardTitle' : 'quota.softTitle'),
        },
        t(q.hard ? 'quota.hard' : 'quota.soft'),
      ),
      el(
        'span',
        { className: 'quota-actions' },
        el('button', { type: 'button', className: 'link', onclick: () => actions.edit(q) }, t('quota.edit')),
        el('button', { type: 'button', className: 'link danger', onclick: () => actions.remove(q) }, t('quota.remove')),
      ),
    ),
    progressBar(q, ctx),
    el(
      'div',
      { className: 'quota-figures' },
      el(
        'span',
        { className: 'quota-used' },
        t('quota.used', {
          used: amount(ctx, q.metric, q.used),
          limit: amount(ctx, q.metric, q.limit),
          percent: f.percentOf(q.percent),
        }),
      ),
      el(
        'span',
        { className: 'quota-forecast-text' },
        t(`quota.forecast.${q.period}`, {
          amount: amount(ctx, q.metric, q.forecast),
          percent: f.percentOf(Math.round(q.forecast_percent)),
        }),
      ),
      el(
        'span',
        { className: 'muted', title: f.full(Date.parse(q.resets_at)) },
        t('quota.resets', { when: f.fromNow(Date.parse(q.resets_at)) }),
      ),
    ),
  );
}

function field(label, control) {
  return el('label', { className: 'quota-field' }, el('span', {}, label), control);
}

function buildForm(ctx, onSaved) {
  const { info, i18n } = ctx;
  const { t } = i18n;
  const input = (name, props = {}) => el('input', { name, ...props });
  const select = (name, options) =>
    el('select', { name }, ...options.map(([value, label]) => el('option', { value }, label ?? value)));
  const controls = {
    name: input('name', { required: true, placeholder: 'daily-cost', autocomplete: 'off' }),
    metric: select(
      'metric',
      METRICS.map((m) => [m, t(`metricOption.${m}`)]),
    ),
    period: select(
      'period',
      PERIODS.map((p) => [p, t(`period.${p}`)]),
    ),
    limit: input('limit', { required: true, inputMode: 'decimal', placeholder: '5' }),
    scopeKind: select(
      'scope_kind',
      SCOPES.map((s) => [s, t(`scope.${s}`)]),
    ),
    scopeValue: input('scope_value', { placeholder: t('form.scopeValuePlaceholder'), disabled: true }),
    thresholds: input('thresholds', { value: '50,80,100' }),
    timeZone: input('time_zone', { placeholder: info.time_zone }),
    hard: input('hard', { type: 'checkbox' }),
  };
  controls.scopeKind.addEventListener(
    'change',
    () => (controls.scopeValue.disabled = VALUELESS.has(controls.scopeKind.value)),
  );
  const error = el('div', { className: 'quota-error', role: 'alert', hidden: true });
  const form = el(
    'form',
    { className: 'quota-form', id: 'quota-form', noValidate: true },
    field(t('form.name'), controls.name),
    field(t('form.metric'), controls.metric),
    field(t('form.period'), controls.period),
    field(t('form.limit'), controls.limit),
    field(t('form.scope'), el('span', { className: 'quota-scope-inputs' }, controls.scopeKind, controls.scopeValue)),
    field(t('form.thresholds'), controls.thresholds),
    field(t('form.timeZone'), controls.timeZone),
    el('label', { className: 'quota-check' }, controls.hard, ' ', t('form.hard')),
    el('button', { type: 'submit' }, t('form.save')),
    error,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const kind = controls.scopeKind.value;
    const body = {
      metric: controls.metric.value,
      period: controls.period.value,
      limit: ctx.format.parseDecimal(controls.limit.value.trim()),
      scope: VALUELESS.has(kind) ? kind : `${kind}=${controls.scopeValue.value.trim()}`,
      thresholds: controls.thresholds.value,
      hard: controls.hard.checked,
      ...(controls.timeZone.value.trim() ? { time_zone: controls.timeZone.value.trim() } : {}),
    };
    try {
      const name = controls.name.value.trim();
      if (!name) throw Object.assign(new Error(t('form.nameRequired')), { issues: [] });
      await send('PUT', `/api/quotas/${encodeURIComponent(name)}`, body);
      await onSaved();
    } catch (e) {
      // In English one issue is already in the message; other languages list every issue translated.
      const list = i18n.locale === 'en' ? (e.issues.length > 1 ? e.issues : []) : e.issues;
      clear(error).append(
        el('p', {}, e instanceof ApiError ? describeApiError(e, i18n) : e.message),
        ...(list.length > 0 ? [el('ul', {}, ...list.map((i) => el('li', {}, issueText(i, i18n))))] : []),
      );
      error.hidden = false;
    }
  });

  const edit = (q) => {
    const [kind, ...rest] = q.scope.split('=');
    controls.name.value = q.name;
    controls.metric.value = q.metric;
    controls.period.value = q.period;
    controls.limit.value = String(q.limit);
    controls.scopeKind.value = kind;
    controls.scopeValue.value = rest.join('=');
    controls.scopeValue.disabled = VALUELESS.has(kind);
    controls.thresholds.value = q.thresholds.join(',');
    controls.timeZone.value = q.time_zone;
    controls.hard.checked = q.hard;
    const details = form.closest('details');
    if (details) details.open = true;
    controls.name.focus();
  };
  return { form, edit };
}

function alertHistory(alerts, ctx) {
  const f = ctx.format;
  const { t } = ctx.i18n;
  const delivery = (a) =>
    a.delivery_attempts > 1
      ? t('delivery.afterTries', { status: t(`delivery.${a.delivery}`), count: a.delivery_attempts })
      : t(`delivery.${a.delivery}`);
  const body = el(
    'tbody',
    {},
    ...(alerts.length === 0
      ? [emptyRow(5, t('alert.none'))]
      : alerts.map((a) =>
          el(
            'tr',
            { 'data-alert': a.id },
            el('td', { title: f.full(Date.parse(a.fired_at)) }, f.when(Date.parse(a.fired_at))),
            el('td', {}, a.quota),
            el('td', { className: 'num' }, f.percentOf(a.threshold)),
            el('td', { className: 'quota-alert-message' }, alertText(a, ctx)),
            el('td', { title: a.last_error ?? '' }, delivery(a)),
          ),
        )),
  );
  return el(
    'table',
    { id: 'alert-history' },
    tableHead(
      [t('column.when')],
      [t('column.quota')],
      [t('column.at'), 'num'],
      [t('column.alert')],
      [t('column.delivered')],
    ),
    body,
  );
}

function createQuotaPanel() {
  let root = null;
  let banner = null;
  let ctx = null;
  let form = null;

  function showError(error) {
    root
      ?.querySelector('.quota-list-slot')
      ?.replaceChildren(
        el(
          'p',
          { className: 'quota-error' },
          ctx.i18n.t('quota.loadFailed', { detail: describeApiError(error, ctx.i18n) }),
        ),
      );
  }

  async function refresh(context) {
    ctx = context ?? ctx;
    if (!root || !ctx) return;
    const [{ quotas }, { alerts }] = await Promise.all([
      ctx.getJSON('/api/quotas'),
      ctx.getJSON('/api/alerts', { limit: 50 }),
    ]);
    const actions = {
      edit: (q) => form.edit(q),
      remove: (q) =>
        send('DELETE', `/api/quotas/${encodeURIComponent(q.name)}`)
          .then(() => refresh())
          .catch(showError),
    };
    const list =
      quotas.length === 0
        ? el(
            'p',
            { className: 'muted' },
            ...ctx.i18n.parts('quota.none', {
              command: el('code', {}, 'cometapi-mcp quota set --name daily-cost --metric cost --period day --limit 5'),
            }),
          )
        : el('ul', { className: 'quota-list' }, ...quotas.map((q) => quotaRow(q, ctx, actions)));
    root.querySelector('.quota-list-slot').replaceChildren(list);
    root
      .querySelector('.alert-history-slot')
      .replaceChildren(el('div', { className: 'table-wrap' }, alertHistory(alerts, ctx)));
    banner.render(alerts);
  }

  return {
    id: 'quotas',
    mount(container, context) {
      ctx = context;
      root = container;
      banner = createAlertBanner({
        id: 'quota-alert-banner',
        seenKey: SEEN_KEY,
        i18n: () => ctx.i18n,
        title: () => ctx.i18n.t('alert.banner'),
        text: (alert) => alertText(alert, ctx),
      });
      form = buildForm(context, () => refresh());
      const { t } = context.i18n;
      container.append(
        el('h2', {}, t('quota.title')),
        el('div', { className: 'quota-list-slot' }),
        el('details', { className: 'quota-editor' }, el('summary', {}, t('quota.editor')), form.form),
        el('h2', { className: 'alerts-title' }, t('alert.history')),
        el('div', { className: 'alert-history-slot' }),
      );
      refresh(context).catch(showError);
    },
    refresh: (context) => refresh(context).catch(showError),
  };
}

registerPanel(createQuotaPanel());
