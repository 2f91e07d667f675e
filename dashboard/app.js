// CometAPI MCP usage dashboard: plain ES modules, no build step, no requests beyond this origin.
//
// Extension hook: other panels (e.g. the quota editor and alerts) call
//   import { registerPanel } from '/app.js';
//   registerPanel({ id: 'quotas', mount(container, ctx) {...}, refresh(ctx) {...} });
// mount() gets a fresh <div> inside <section id="quotas"> once /api/info has loaded; refresh() runs
// after every aggregate refresh (range change, new calls). ctx = { range, info, getJSON, format, i18n,
// refreshDashboard }.
import { byId, clear, el, setFigure } from './dom.js';
import { createFormat } from './format.js';
import { createCharts } from './charts.js';
import { renderBreakdown, renderErrors, callsHead, callRow } from './tables.js';
import { ApiError, describeApiError, getJSON } from './api.js';
import { connectEvents, createRefreshScheduler } from './live.js';
import { LOCALES, loadI18n } from './i18n.js';
import { renderSessions, showSessionFilter } from './sessions.js';

const RANGES = ['1h', '24h', '7d', '30d'];
const MAX_CALL_ROWS = 300;

const panels = [];
const state = {
  // The range last picked; else chosen once /api/info says which mode this is.
  range: RANGES.includes(localStorage.getItem('cometapi-mcp.range'))
    ? localStorage.getItem('cometapi-mcp.range')
    : null,
  info: null,
  i18n: null,
  format: null,
  charts: null,
  nextBefore: null,
  // The session the calls table is narrowed to (picked in the Sessions view), or null.
  session: null,
  /** Reloads figures, charts and tables (a panel that changed stored costs asks for it). */
  refreshAll: null,
};

function panelContext() {
  const { range, info, format, i18n } = state;
  return { range, info, getJSON, format, i18n, refreshDashboard: () => state.refreshAll?.() };
}

function mountPanel(panel) {
  const section = byId('quotas');
  section.hidden = false;
  const container = el('div', { className: 'panel', id: `panel-${panel.id}` });
  section.append(container);
  panel.mount?.(container, panelContext());
}

/** Adds a panel to the page; safe to call before or after the dashboard has loaded. */
export function registerPanel(panel) {
  panels.push(panel);
  if (state.info) mountPanel(panel);
}

function showNotice(text) {
  const notice = byId('notice');
  notice.textContent = text;
  notice.hidden = !text;
}

/**
 * "2.1 s / 12.6 s" with p95 smaller; data-value keeps "p50/p95" in ms. Ranges over 24 h read
 * percentiles from the ledger's hourly histograms: a leading "≈" says so.
 */
function setPair(id, { p50, p95, approximate }) {
  const f = state.format;
  const values = { p50: f.duration(p50), p95: f.duration(p95) };
  const title = state.i18n.t(approximate ? 'summary.percentilesApproximate' : 'summary.percentiles', values);
  setFigure(id, f.duration(p50), `${p50}/${p95}`, title);
  if (p50 !== null && approximate) byId(id).prepend(el('span', { className: 'approx' }, '≈'));
  if (p50 !== null) byId(id).append(el('span', { className: 'second' }, ` / ${f.duration(p95)}`));
}

function renderSummary(s) {
  const f = state.format;
  const { t } = state.i18n;
  setFigure('stat-requests', f.compact(s.requests), s.requests, f.int(s.requests));
  byId('stat-requests-sub').textContent = t('summary.statusCounts', {
    ok: f.int(s.ok),
    errors: f.int(s.errors),
    blocked: f.int(s.blocked),
  });
  setFigure('stat-prompt-tokens', f.compact(s.prompt_tokens), s.prompt_tokens, f.int(s.prompt_tokens));
  setFigure('stat-completion-tokens', f.compact(s.completion_tokens), s.completion_tokens, f.int(s.completion_tokens));
  byId('stat-total-tokens').textContent = t('summary.totalTokens', { total: f.compact(s.total_tokens) });
  setFigure('stat-cost', f.usd(s.cost_usd), s.cost_usd);
  setFigure('stat-error-rate', f.percent(s.error_rate), s.error_rate);
  byId('stat-errors-sub').textContent = t('summary.failedOf', { errors: f.int(s.errors), requests: f.int(s.requests) });
  setPair('stat-latency', s.latency_ms);
  setPair('stat-ttft', s.ttft_ms);
  byId('stat-retries').textContent =
    s.retries > 0 ? t('summary.retries', { count: s.retries }) : t('summary.noRetries');
  const { parts } = state.i18n;
  const unpriced = byId('stat-unpriced');
  clear(unpriced).setAttribute('data-value', String(s.unpriced_calls));
  if (s.unpriced_calls > 0) {
    const flag = el('span', { className: 'flag' }, t('summary.unpriced', { count: s.unpriced_calls }));
    unpriced.append(...parts('summary.unpricedNote', { flag }));
  } else unpriced.append(t('summary.allPriced'));
  const estimated = byId('stat-estimated');
  clear(estimated).setAttribute('data-value', String(s.estimated_calls));
  if (s.estimated_calls > 0) {
    const flag = el('span', { className: 'flag' }, t('summary.estimated', { count: s.estimated_calls }));
    estimated.append(...parts('summary.estimatedNote', { flag }));
  }
}

function fillFilterOptions(select, rows) {
  const current = select.value;
  const keys = rows.map((r) => r.key).filter((k) => k !== null);
  if (current && !keys.includes(current)) keys.push(current);
  clear(select).append(
    el('option', { value: '' }, state.i18n.t('filter.all')),
    ...keys.map((k) => el('option', { value: k }, k)),
  );
  select.value = current;
}

async function refreshAggregates() {
  const range = { range: state.range };
  const [summary, series, byModel, byTool, byClient, errors, anyCall, sessions] = await Promise.all([
    getJSON('/api/summary', range),
    getJSON('/api/timeseries', range),
    getJSON('/api/breakdown', { ...range, by: 'model' }),
    getJSON('/api/breakdown', { ...range, by: 'tool' }),
    getJSON('/api/breakdown', { ...range, by: 'client' }),
    getJSON('/api/errors', range),
    getJSON('/api/calls', { limit: 1 }),
    getJSON('/api/sessions', { ...range, limit: 50 }),
  ]);
  document.body.dataset.empty = String(anyCall.calls.length === 0);
  byId('empty-state').hidden = anyCall.calls.length > 0;
  renderSummary(summary);
  state.charts.update(series);
  const look = { format: state.format, i18n: state.i18n };
  renderBreakdown(byId('breakdown-model'), byModel, look);
  renderBreakdown(byId('breakdown-tool'), byTool, look);
  renderBreakdown(byId('breakdown-client'), byClient, look);
  renderErrors(byId('errors-table'), errors.rows, look);
  renderSessions(byId('sessions-table'), sessions.sessions, look, pickSession);
  byId('errors-count').textContent = errors.rows.length
    ? `· ${state.format.int(errors.rows.reduce((n, r) => n + r.count, 0))}`
    : '';
  fillFilterOptions(byId('filter-model'), byModel.rows);
  fillFilterOptions(byId('filter-client'), byClient.rows);
  for (const panel of panels) panel.refresh?.(panelContext());
  document.body.dataset.range = range.range;
  document.body.dataset.loaded = 'true';
}

function currentFilters() {
  return {
    model: byId('filter-model').value,
    status: byId('filter-status').value,
    client: byId('filter-client').value,
    session: state.session ?? '',
  };
}

/** Narrows "Recent calls" to one session (null: all again): the Sessions view's drill-down. */
function pickSession(session) {
  state.session = session;
  showSessionFilter(session);
  loadCalls(true).catch(reportError);
  if (session) byId('calls-panel').scrollIntoView({ block: 'start' });
}

async function loadCalls(reset) {
  const table = byId('calls-table');
  const page = await getJSON('/api/calls', {
    limit: 50,
    range: state.range,
    before: reset ? undefined : state.nextBefore,
    ...currentFilters(),
  });
  const look = { format: state.format, i18n: state.i18n };
  if (reset) clear(table).append(callsHead(state.i18n), el('tbody'));
  const body = table.tBodies[0];
  for (const call of page.calls) body.append(callRow(call, look));
  if (body.rows.length === 0)
    body.append(
      el(
        'tr',
        { className: 'placeholder' },
        el('td', { className: 'empty-row', colSpan: 10 }, state.i18n.t('calls.noMatch')),
      ),
    );
  state.nextBefore = page.next_before;
  byId('calls-more').hidden = page.next_before === null;
}

function matchesFilters(call) {
  const f = currentFilters();
  return (
    (!f.model || f.model === call.model) &&
    (!f.status || f.status === call.status) &&
    (!f.client || f.client === call.client) &&
    (!f.session || f.session === call.session)
  );
}

function addLiveCall(call) {
  const body = byId('calls-table').tBodies[0];
  if (!body || !matchesFilters(call) || body.querySelector(`tr[data-id="${Number(call.id)}"]`)) return;
  body.querySelector('tr.placeholder')?.remove();
  body.prepend(callRow(call, { format: state.format, i18n: state.i18n }));
  body.rows[0].classList.add('fresh');
  while (body.rows.length > MAX_CALL_ROWS) body.rows[body.rows.length - 1].remove();
}

function reportError(error) {
  // Before the catalogs load (they failed, or /api/info did) there is only English to say it in.
  const t = state.i18n?.t;
  if (error instanceof ApiError && error.status === 401) {
    showNotice(
      t?.('notice.token') ??
        'This sidecar requires a token. Open this page once as /?token=<COMETAPI_MCP_TOKEN> to sign in.',
    );
  } else {
    const detail = state.i18n ? describeApiError(error, state.i18n) : error.message;
    showNotice(t?.('notice.loadFailed', { detail }) ?? `Could not load usage data: ${detail}`);
  }
}

function renderStatic(info) {
  const { t, parts } = state.i18n;
  byId('demo-banner').hidden = info.mode !== 'demo';
  byId('config-snippet').textContent = JSON.stringify(info.client_config, null, 2);
  const metrics = el('a', { href: '/metrics' }, '/metrics');
  clear(byId('footer')).append(
    el('span', {}, `cometapi-mcp ${info.version}`),
    el('span', {}, t(info.mode === 'demo' ? 'footer.upstreamSimulated' : 'footer.upstream', { host: info.upstream })),
    el('span', {}, t('footer.timeZone', { zone: info.time_zone })),
    el('span', { title: info.ledger_path }, t('footer.ledger', { path: info.ledger_path })),
    el('span', {}, ...parts('footer.prometheus', { link: metrics })),
  );
}

function bindLanguage(i18n) {
  const select = byId('language');
  select.replaceChildren(...Object.entries(LOCALES).map(([value, name]) => el('option', { value, lang: value }, name)));
  select.value = i18n.locale;
  select.addEventListener('change', () => i18n.choose(select.value));
}

function bindControls(refreshAll) {
  for (const button of document.querySelectorAll('.ranges button')) {
    button.setAttribute('aria-pressed', String(button.dataset.range === state.range));
    button.addEventListener('click', () => {
      state.range = button.dataset.range;
      localStorage.setItem('cometapi-mcp.range', state.range);
      for (const b of document.querySelectorAll('.ranges button')) b.setAttribute('aria-pressed', String(b === button));
      refreshAll().catch(reportError);
    });
  }
  byId('call-filters').addEventListener('change', () => loadCalls(true).catch(reportError));
  byId('calls-more').addEventListener('click', () => loadCalls(false).catch(reportError));
  byId('session-filter-clear').addEventListener('click', () => pickSession(null));
}

async function start() {
  try {
    [state.i18n, state.info] = await Promise.all([loadI18n(), getJSON('/api/info')]);
  } catch (error) {
    reportError(error);
    return;
  }
  state.i18n.translatePage(document);
  bindLanguage(state.i18n);
  // A demo's calls all started a minute ago: the last hour shows them over time, a day only as a spike.
  state.range ??= state.info.mode === 'demo' ? '1h' : '24h';
  state.format = createFormat(state.info.time_zone, state.i18n.locale);
  renderStatic(state.info);
  state.charts = createCharts(state.format, state.i18n);
  const refreshAll = () => Promise.all([refreshAggregates(), loadCalls(true)]).then(() => showNotice(''));
  state.refreshAll = refreshAll;
  bindControls(refreshAll);
  for (const panel of panels) mountPanel(panel);
  const scheduleRefresh = createRefreshScheduler(refreshAggregates, reportError);
  // Subscribed before the first load: the stream starts at the newest row when it connects, so a
  // call landing meanwhile is in the load, the stream or both (rows are deduplicated by id).
  connectEvents({
    onCall: (call) => {
      addLiveCall(call);
      scheduleRefresh();
    },
    onState: (connection) => {
      byId('live').dataset.state = connection;
      byId('live-text').textContent = state.i18n.t(connection === 'open' ? 'live.open' : 'live.reconnecting');
    },
  });
  await refreshAll().catch(reportError);
  // Presets end "now": move the window along even when no calls arrive.
  setInterval(() => refreshAggregates().catch(reportError), 60_000);
}

start();
