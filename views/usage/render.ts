/**
 * Draws a UsageView into the page. Every string from the ledger (model and client names, error
 * text) goes in through textContent, never as HTML: a model name is untrusted text.
 */
import uPlot from 'uplot';
import type { UsageView } from '../../src/mcp/usage-view-data.js';
import { formatUsd } from '../../src/usage-format.js';

const numbers = new Intl.NumberFormat('en-US');

const usd = (value: number) => formatUsd(value);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`usage view: #${id} is missing from the page`);
  return node;
}

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

/** A labelled bar: `share` is 0..1 of the track; thresholds (percent) are drawn as ticks. */
function barRow(key: string, value: string, share: number, options: { tone?: string; thresholds?: number[] } = {}) {
  const row = el('div', 'bar-row');
  const fill = el('div', `fill ${options.tone ?? ''}`.trim());
  fill.style.width = `${Math.min(100, Math.max(0, share * 100)).toFixed(1)}%`;
  const track = el('div', 'track');
  track.append(fill);
  for (const t of options.thresholds ?? []) {
    const tick = el('span', 'threshold');
    tick.style.left = `${Math.min(100, t)}%`;
    tick.title = `${t}%`;
    track.append(tick);
  }
  row.append(el('span', 'bar-key', key), el('span', 'bar-value', value), track);
  return row;
}

function renderGroups(view: UsageView): void {
  const section = byId('groups');
  section.replaceChildren(
    ...view.groups.map((group) => {
      const box = el('div');
      box.append(el('h2', undefined, `Top ${group.by}s`));
      const byCost = group.rows.some((r) => r.cost_usd > 0);
      const max = Math.max(...group.rows.map((r) => (byCost ? r.cost_usd : r.requests)), 0);
      if (group.rows.length === 0) box.append(el('p', 'muted', 'No calls yet.'));
      for (const r of group.rows) {
        const amount = byCost ? r.cost_usd : r.requests;
        const value = `${usd(r.cost_usd)} · ${numbers.format(r.requests)} call${r.requests === 1 ? '' : 's'}`;
        box.append(barRow(r.key ?? '(none)', value, max > 0 ? amount / max : 0));
      }
      return box;
    }),
  );
}

function renderQuotas(view: UsageView): void {
  const box = byId('quotas');
  const figure = (metric: string, v: number) => (metric === 'cost' ? usd(v) : `${numbers.format(v)} ${metric}`);
  box.replaceChildren(
    ...view.quotas.map((q) => {
      const warnAt = Math.min(...q.thresholds.filter((t) => t < 100), 100);
      const tone = q.percent >= 100 ? 'over' : q.percent >= warnAt ? 'warn' : undefined;
      const value = `${figure(q.metric, q.used)} of ${figure(q.metric, q.limit)} (${q.percent}%) per ${q.period}`;
      return barRow(`${q.name} · ${q.scope}${q.hard ? ' · hard' : ''}`, value, q.percent / 100, {
        ...(tone ? { tone } : {}),
        thresholds: q.thresholds,
      });
    }),
  );
  if (view.quotas.length === 0) box.append(el('p', 'muted', 'No quotas set (cometapi-mcp quota set …).'));
}

function renderErrors(view: UsageView): void {
  const list = byId('errors');
  list.replaceChildren(
    ...view.errors.map((e) => {
      const item = el('li');
      const kind = [e.error_type ?? e.status, e.http_status].filter((v) => v !== null).join(' ');
      const when = new Date(e.last_at).toLocaleString('en-GB', { timeZone: view.time_zone });
      item.append(el('span', 'error-kind', kind), el('span', undefined, ` ×${e.count}, last ${when}`));
      if (e.last_message) item.append(el('div', 'muted', e.last_message));
      return item;
    }),
  );
  if (view.errors.length === 0) list.append(el('li', 'muted', 'No errors in this period.'));
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Draws the chart afresh (also after a theme switch, since uPlot takes colours once). */
function renderChart(view: UsageView, previous: uPlot | null): uPlot {
  previous?.destroy();
  const box = byId('chart');
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { show: false } };
  return new uPlot(
    {
      width: Math.max(240, box.clientWidth),
      height: 150,
      ms: 1,
      tzDate: (ms) => uPlot.tzDate(new Date(ms), view.time_zone),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      axes: [axis, { ...axis, size: 80, values: (_u, ticks) => ticks.map(usd) }],
      series: [{}, { label: 'Spend', stroke: cssVar('--series'), width: 2, fill: `${cssVar('--series')}33` }],
    },
    [view.series.points.map((p) => p.t), view.series.points.map((p) => p.cost_usd)],
    box,
  );
}

export function renderView(view: UsageView, chart: uPlot | null): uPlot {
  const t = view.totals;
  setText(
    'period',
    `since ${new Date(view.since).toLocaleString('en-GB', { timeZone: view.time_zone })} (${view.period}, ${view.time_zone})`,
  );
  setText('spend', usd(t.cost_usd) + (t.unpriced_calls ? ` +${t.unpriced_calls} unpriced` : ''));
  setText('tokens', numbers.format(t.total_tokens));
  const failed = t.errors + t.blocked;
  setText('requests', numbers.format(t.requests) + (failed ? ` (${numbers.format(failed)} failed)` : ''));
  byId('balance-tile').hidden = view.balance_usd === null;
  setText('balance', view.balance_usd === null ? '' : usd(view.balance_usd));
  byId('dashboard').hidden = view.dashboard_url === null;
  setText('status', `Updated ${new Date().toLocaleTimeString('en-GB')}`);
  renderGroups(view);
  renderQuotas(view);
  renderErrors(view);
  return renderChart(view, chart);
}
