// Tables for breakdowns, the error log and recent calls. All cell text goes through el() → text nodes.
// `look` = { format, i18n }: the chosen locale's number formats and messages.
import { el, clear, tableHead, emptyRow } from './dom.js';

/** breakdown: an /api/breakdown body; approximate medians (ranges over 24 h) get a "≈". */
export function renderBreakdown(table, { rows, approximate }, { format, i18n }, limit = 10) {
  const { t } = i18n;
  clear(table);
  table.append(
    tableHead(
      [t('column.name')],
      [t('column.calls'), 'num'],
      [t('column.tokens'), 'num'],
      [t('column.cost'), 'num'],
      ['p50', 'num'],
    ),
  );
  const body = el('tbody');
  if (rows.length === 0) body.append(emptyRow(5, t('breakdown.empty')));
  const max = Math.max(1, ...rows.map((r) => r.requests));
  for (const row of rows.slice(0, limit)) {
    const name = row.key ?? t('common.none');
    const bar = el('div', { className: 'bar' });
    // CSSOM width (not a style attribute), so the page's CSP needs no inline styles for this.
    bar.style.width = `${Math.max(1, (row.requests / max) * 100)}%`;
    const cost =
      row.unpriced_calls > 0
        ? el(
            'span',
            { title: t('breakdown.unpricedTitle', { count: row.unpriced_calls }) },
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
          row.errors > 0 ? el('div', { className: 'err' }, t('breakdown.failed', { count: row.errors })) : null,
        ),
        el(
          'td',
          {
            className: 'num',
            title: t('breakdown.tokensTitle', {
              prompt: format.int(row.prompt_tokens),
              completion: format.int(row.completion_tokens),
            }),
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
  if (rows.length > limit) body.append(emptyRow(5, t('breakdown.more', { count: rows.length - limit })));
  table.append(body);
  const note = table.parentElement?.nextElementSibling;
  if (note?.classList.contains('table-note')) note.hidden = !rows.some((r) => r.unpriced_calls > 0);
}

/** The error type's badge text stays the API's code (rate_limit, auth, ...): it is what logs and /metrics say. */
export function renderErrors(table, rows, { format, i18n }) {
  const { t } = i18n;
  clear(table);
  table.append(
    tableHead(
      [t('column.error')],
      [t('column.count'), 'num'],
      [t('column.lastSeen')],
      [t('column.lastMessage')],
      [t('column.meaning')],
    ),
  );
  const body = el('tbody');
  if (rows.length === 0) body.append(emptyRow(5, t('errors.empty')));
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
        el('td', { className: 'hint' }, t(`hint.${row.hint_code}`)),
      ),
    );
  }
  table.append(body);
}

export function callsHead(i18n) {
  const { t } = i18n;
  return tableHead(
    [t('column.time')],
    [t('column.model')],
    [t('column.tool')],
    [t('column.client')],
    [t('column.status')],
    [t('column.tokensInOut'), 'num'],
    [t('column.cost'), 'num'],
    [t('column.latency'), 'num'],
    ['TTFT', 'num'],
    [t('column.error')],
  );
}

/** Unpriced is flagged only for calls that used something billable; a failed call that used nothing cost nothing. */
function costCell(call, { format, i18n }) {
  if (call.cost_usd !== null) return format.usd(call.cost_usd);
  const billable = call.status === 'ok' || call.prompt_tokens + call.completion_tokens + call.images > 0;
  return billable
    ? el('span', { className: 'flag', title: i18n.t('calls.unpricedTitle') }, i18n.t('calls.unpriced'))
    : '–';
}

export function callRow(call, look) {
  const { format, i18n } = look;
  const { t } = i18n;
  const tokens = el(
    'td',
    { className: 'num' },
    `${format.int(call.prompt_tokens)} → ${format.int(call.completion_tokens)}`,
  );
  if (call.usage_estimated)
    tokens.append(el('span', { className: 'badge est', title: t('calls.estimatedTitle') }, t('calls.estimated')));
  const model = call.fallback_from ? t('calls.fallback', { model: call.model, from: call.fallback_from }) : call.model;
  return el(
    'tr',
    { 'data-id': call.id },
    el('td', { title: format.full(call.ts) }, format.when(call.ts)),
    el('td', { className: 'model' }, model),
    el('td', {}, call.tool),
    el('td', {}, call.client ?? t('common.none')),
    el(
      'td',
      {},
      el('span', { className: `badge ${call.status}`, 'data-status': call.status }, t(`status.${call.status}`)),
      call.retries > 0 ? el('span', { className: 'muted', title: t('calls.retries') }, ` ↻${call.retries}`) : null,
    ),
    tokens,
    el('td', { className: 'num' }, costCell(call, look)),
    el('td', { className: 'num' }, format.duration(call.duration_ms)),
    el('td', { className: 'num' }, format.duration(call.ttft_ms)),
    el('td', { className: 'msg' }, call.error_message ?? ''),
  );
}
