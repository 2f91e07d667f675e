// Tables for breakdowns, the error log and recent calls. All cell text goes through el() → text nodes.
import { el, clear, tableHead, emptyRow } from './dom.js';

const NONE = '(none)';

/** breakdown: an /api/breakdown body; approximate medians (ranges over 24 h) get a "≈". */
export function renderBreakdown(table, { rows, approximate }, format, limit = 10) {
  clear(table);
  table.append(tableHead(['Name'], ['Calls', 'num'], ['Tokens', 'num'], ['Cost', 'num'], ['p50', 'num']));
  const body = el('tbody');
  if (rows.length === 0) body.append(emptyRow(5, 'No calls in this range'));
  const max = Math.max(1, ...rows.map((r) => r.requests));
  for (const row of rows.slice(0, limit)) {
    const name = row.key ?? NONE;
    const bar = el('div', { className: 'bar' });
    // CSSOM width (not a style attribute), so the page's CSP needs no inline styles for this.
    bar.style.width = `${Math.max(1, (row.requests / max) * 100)}%`;
    const cost =
      row.unpriced_calls > 0
        ? el(
            'span',
            { title: `plus ${row.unpriced_calls} unpriced calls (no known price), not included` },
            format.usd(row.cost_usd),
            el('span', { className: 'mark' }, '*'),
          )
        : format.usd(row.cost_usd);
    body.append(
      el(
        'tr',
        {},
        el('td', { className: 'key' }, el('span', { className: 'key-name', title: name }, name), bar),
        el(
          'td',
          { className: 'num' },
          format.int(row.requests),
          row.errors > 0 ? el('div', { className: 'err' }, `${format.int(row.errors)} failed`) : null,
        ),
        el(
          'td',
          {
            className: 'num',
            title: `${format.int(row.prompt_tokens)} prompt + ${format.int(row.completion_tokens)} completion`,
          },
          format.compact(row.prompt_tokens + row.completion_tokens),
        ),
        el('td', { className: 'num' }, cost),
        el(
          'td',
          { className: 'num' },
          approximate && row.p50_latency_ms !== null
            ? `≈${format.duration(row.p50_latency_ms)}`
            : format.duration(row.p50_latency_ms),
        ),
      ),
    );
  }
  if (rows.length > limit) body.append(emptyRow(5, `and ${rows.length - limit} more`));
  table.append(body);
  const note = table.parentElement?.nextElementSibling;
  if (note?.classList.contains('table-note')) note.hidden = !rows.some((r) => r.unpriced_calls > 0);
}

export function renderErrors(table, rows, format) {
  clear(table);
  table.append(tableHead(['Error'], ['Count', 'num'], ['Last seen'], ['Last message'], ['What it means']));
  const body = el('tbody');
  if (rows.length === 0) body.append(emptyRow(5, 'No errors in this range'));
  for (const row of rows) {
    const type = row.error_type ?? (row.status === 'blocked' ? 'blocked' : 'unknown');
    body.append(
      el(
        'tr',
        {},
        el(
          'td',
          {},
          el('span', { className: `badge ${row.status}` }, type),
          row.http_status ? el('div', { className: 'muted' }, `HTTP ${row.http_status}`) : null,
        ),
        el('td', { className: 'num' }, format.int(row.count)),
        el('td', { className: 'when', title: format.full(row.last_ts) }, format.when(row.last_ts)),
        el('td', { className: 'msg' }, row.last_message ?? ''),
        el('td', { className: 'hint' }, row.hint),
      ),
    );
  }
  table.append(body);
}

export function callsHead() {
  return tableHead(
    ['Time'],
    ['Model'],
    ['Tool'],
    ['Client'],
    ['Status'],
    ['Tokens in → out', 'num'],
    ['Cost', 'num'],
    ['Latency', 'num'],
    ['TTFT', 'num'],
    ['Error'],
  );
}

/** Unpriced is flagged only for calls that used something billable; a failed call that used nothing cost nothing. */
function costCell(call, format) {
  if (call.cost_usd !== null) return format.usd(call.cost_usd);
  const billable = call.status === 'ok' || call.prompt_tokens + call.completion_tokens + call.images > 0;
  return billable ? el('span', { className: 'flag', title: 'no price known for this model' }, 'unpriced') : '–';
}

export function callRow(call, format) {
  const tokens = el(
    'td',
    { className: 'num' },
    `${format.int(call.prompt_tokens)} → ${format.int(call.completion_tokens)}`,
  );
  if (call.usage_estimated)
    tokens.append(el('span', { className: 'badge est', title: 'token counts estimated locally' }, 'est.'));
  const model = call.fallback_from ? `${call.model} (fallback from ${call.fallback_from})` : call.model;
  return el(
    'tr',
    { 'data-id': call.id },
    el('td', { title: format.full(call.ts) }, format.when(call.ts)),
    el('td', { className: 'model' }, model),
    el('td', {}, call.tool),
    el('td', {}, call.client ?? NONE),
    el(
      'td',
      {},
      el('span', { className: `badge ${call.status}` }, call.status),
      call.retries > 0 ? el('span', { className: 'muted', title: 'retries' }, ` ↻${call.retries}`) : null,
    ),
    tokens,
    el('td', { className: 'num' }, costCell(call, format)),
    el('td', { className: 'num' }, format.duration(call.duration_ms)),
    el('td', { className: 'num' }, format.duration(call.ttft_ms)),
    el('td', { className: 'msg' }, call.error_message ?? ''),
  );
}
