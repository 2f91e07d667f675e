// Quota editor, progress bars and alerts for the dashboard, mounted in <section id="quotas"> through
// registerPanel. Everything from the ledger (names, scopes, alert messages, webhook errors) reaches
// the page through el()/textContent only, never innerHTML.
import { registerPanel } from './app.js';
import { clear, el, emptyRow, tableHead } from './dom.js';

const METRICS = [
  ['cost', 'cost (USD)'],
  ['tokens', 'tokens'],
  ['requests', 'requests'],
  ['images', 'images'],
];
const PERIODS = ['day', 'week', 'month'];
const SCOPES = ['global', 'model', 'tool', 'client', 'provider'];
const SEEN_KEY = 'cometapi-mcp.alerts-seen';
const BANNER_WINDOW_MS = 24 * 3600_000;

/** JSON to the quota API; resolves to the body, or throws with the API's own message and issues. */
async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(json.error ?? `HTTP ${response.status}`), { issues: json.issues ?? [] });
  return json;
}

function amount(format, metric, value) {
  return metric === 'cost' ? format.usd(value) : `${format.int(value)} ${metric}`;
}

/** Green below the first warning threshold's neighbourhood, amber from 80 %, red at the limit. */
function level(percent) {
  return percent >= 100 ? 'over' : percent >= 80 ? 'warn' : 'ok';
}

function progressBar(q) {
  const fill = el('span', { className: 'quota-fill' });
  fill.style.width = `${Math.min(q.percent, 100)}%`;
  const forecast = el('span', {
    className: 'quota-forecast',
    title: `forecast ${q.forecast_percent}% by the end of the ${q.period}`,
  });
  forecast.style.left = `${Math.min(q.forecast_percent, 100)}%`;
  const ticks = q.thresholds
    .filter((t) => t < 100)
    .map((t) => {
      const tick = el('span', { className: 'quota-tick', title: `alert at ${t}%` });
      tick.style.left = `${t}%`;
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
      'aria-label': `${q.name}: ${q.percent}% used`,
    },
    fill,
    forecast,
    ...ticks,
  );
}

function quotaRow(q, ctx, actions) {
  const f = ctx.format;
  return el(
    'li',
    { className: 'quota', 'data-quota': q.name, 'data-percent': q.percent },
    el(
      'div',
      { className: 'quota-head' },
      el('strong', { className: 'quota-name' }, q.name),
      el('span', { className: 'quota-scope' }, q.scope),
      el('span', { className: 'muted' }, `${q.metric} per ${q.period}`),
      el(
        'span',
        {
          className: `quota-kind ${q.hard ? 'hard' : 'soft'}`,
          title: q.hard ? 'calls past the limit are refused' : 'alerts only',
        },
        q.hard ? 'hard' : 'soft',
      ),
      el(
        'span',
        { className: 'quota-actions' },
        el('button', { type: 'button', className: 'link', onclick: () => actions.edit(q) }, 'Edit'),
        el('button', { type: 'button', className: 'link danger', onclick: () => actions.remove(q) }, 'Remove'),
      ),
    ),
    progressBar(q),
    el(
      'div',
      { className: 'quota-figures' },
      el(
        'span',
        { className: 'quota-used' },
        `${amount(f, q.metric, q.used)} of ${amount(f, q.metric, q.limit)} (${q.percent}%)`,
      ),
      el(
        'span',
        { className: 'quota-forecast-text' },
        `forecast ${amount(f, q.metric, q.forecast)} (${Math.round(q.forecast_percent)}%) by the end of the ${q.period}`,
      ),
      el('span', { className: 'muted' }, `resets ${f.full(Date.parse(q.resets_at))}`),
    ),
  );
}

function field(label, control) {
  return el('label', { className: 'quota-field' }, el('span', {}, label), control);
}

function buildForm(info, onSaved) {
  const input = (name, props = {}) => el('input', { name, ...props });
  const select = (name, options) =>
    el('select', { name }, ...options.map(([value, label]) => el('option', { value }, label ?? value)));
  const controls = {
    name: input('name', { required: true, placeholder: 'daily-cost', autocomplete: 'off' }),
    metric: select('metric', METRICS),
    period: select(
      'period',
      PERIODS.map((p) => [p]),
    ),
    limit: input('limit', { required: true, inputMode: 'decimal', placeholder: '5' }),
    scopeKind: select(
      'scope_kind',
      SCOPES.map((s) => [s]),
    ),
    scopeValue: input('scope_value', { placeholder: 'e.g. gpt-4o', disabled: true }),
    thresholds: input('thresholds', { value: '50,80,100' }),
    timeZone: input('time_zone', { placeholder: info.time_zone }),
    hard: input('hard', { type: 'checkbox' }),
  };
  controls.scopeKind.addEventListener(
    'change',
    () => (controls.scopeValue.disabled = controls.scopeKind.value === 'global'),
  );
  const error = el('div', { className: 'quota-error', role: 'alert', hidden: true });
  const form = el(
    'form',
    { className: 'quota-form', id: 'quota-form', noValidate: true },
    field('Name', controls.name),
    field('Metric', controls.metric),
    field('Period', controls.period),
    field('Limit', controls.limit),
    field('Scope', el('span', { className: 'quota-scope-inputs' }, controls.scopeKind, controls.scopeValue)),
    field('Alerts at %', controls.thresholds),
    field('Time zone', controls.timeZone),
    el('label', { className: 'quota-check' }, controls.hard, ' Hard: refuse calls past the limit'),
    el('button', { type: 'submit' }, 'Save quota'),
    error,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const kind = controls.scopeKind.value;
    const body = {
      metric: controls.metric.value,
      period: controls.period.value,
      limit: controls.limit.value.trim(),
      scope: kind === 'global' ? 'global' : `${kind}=${controls.scopeValue.value.trim()}`,
      thresholds: controls.thresholds.value,
      hard: controls.hard.checked,
      ...(controls.timeZone.value.trim() ? { time_zone: controls.timeZone.value.trim() } : {}),
    };
    try {
      const name = controls.name.value.trim();
      if (!name) throw Object.assign(new Error('Give the quota a name, e.g. daily-cost.'), { issues: [] });
      await send('PUT', `/api/quotas/${encodeURIComponent(name)}`, body);
      await onSaved();
    } catch (e) {
      clear(error).append(
        el('p', {}, e.message),
        ...(e.issues.length > 1
          ? [el('ul', {}, ...e.issues.map((i) => el('li', {}, i.field ? `${i.field}: ${i.message}` : i.message)))]
          : []),
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
    controls.scopeValue.disabled = kind === 'global';
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
  const delivery = (a) =>
    a.delivery === 'no-webhook'
      ? 'dashboard, MCP, log'
      : `webhook ${a.delivery}${a.delivery_attempts > 1 ? ` after ${a.delivery_attempts} tries` : ''}`;
  const body = el(
    'tbody',
    {},
    ...(alerts.length === 0
      ? [emptyRow(5, 'No alerts yet')]
      : alerts.map((a) =>
          el(
            'tr',
            { 'data-alert': a.id },
            el('td', { title: f.full(Date.parse(a.fired_at)) }, f.when(Date.parse(a.fired_at))),
            el('td', {}, a.quota),
            el('td', { className: 'num' }, `${a.threshold}%`),
            el('td', { className: 'quota-alert-message' }, a.message),
            el('td', { title: a.last_error ?? '' }, delivery(a)),
          ),
        )),
  );
  return el(
    'table',
    { id: 'alert-history' },
    tableHead(['When'], ['Quota'], ['At', 'num'], ['Alert'], ['Delivered']),
    body,
  );
}

function createQuotaPanel() {
  let root = null;
  let banner = null;
  let ctx = null;
  let form = null;

  const seenId = () => Number(localStorage.getItem(SEEN_KEY) ?? '0');

  function renderBanner(alerts) {
    const fresh = alerts.filter((a) => a.id > seenId() && Date.now() - Date.parse(a.fired_at) < BANNER_WINDOW_MS);
    banner.hidden = fresh.length === 0;
    if (fresh.length === 0) return;
    const newest = fresh[0];
    const dismiss = el(
      'button',
      {
        type: 'button',
        className: 'link',
        onclick: () => (localStorage.setItem(SEEN_KEY, String(newest.id)), (banner.hidden = true)),
      },
      'Dismiss',
    );
    clear(banner).append(
      el('strong', {}, 'Quota alert: '),
      el('span', { className: 'quota-banner-text' }, newest.message),
      fresh.length > 1 ? el('span', { className: 'muted' }, ` (+${fresh.length - 1} more below)`) : '',
      ' ',
      dismiss,
    );
  }

  function showError(error) {
    root
      ?.querySelector('.quota-list-slot')
      ?.replaceChildren(el('p', { className: 'quota-error' }, `Could not load quotas: ${error.message}`));
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
            'No quotas yet. Add one below, or run: cometapi-mcp quota set --name daily-cost --metric cost --period day --limit 5',
          )
        : el('ul', { className: 'quota-list' }, ...quotas.map((q) => quotaRow(q, ctx, actions)));
    root.querySelector('.quota-list-slot').replaceChildren(list);
    root
      .querySelector('.alert-history-slot')
      .replaceChildren(el('div', { className: 'table-wrap' }, alertHistory(alerts, ctx)));
    renderBanner(alerts);
  }

  return {
    id: 'quotas',
    mount(container, context) {
      ctx = context;
      root = container;
      banner = el('div', { id: 'quota-alert-banner', className: 'banner quota-banner', role: 'alert', hidden: true });
      document.getElementById('demo-banner')?.after(banner);
      form = buildForm(context.info, () => refresh());
      container.append(
        el('h2', {}, 'Quotas'),
        el('div', { className: 'quota-list-slot' }),
        el('details', { className: 'quota-editor' }, el('summary', {}, 'Add or change a quota'), form.form),
        el('h2', { className: 'alerts-title' }, 'Alert history'),
        el('div', { className: 'alert-history-slot' }),
      );
      refresh(context).catch(showError);
    },
    refresh: (context) => refresh(context).catch(showError),
  };
}

registerPanel(createQuotaPanel());
