// The Sessions view: each session's client, first and last call, calls, tokens, cost and errors in
// the range, the most expensive first; picking one shows its calls in "Recent calls". Session ids
// come from callers and are untrusted: they reach the page only as text (el() → text nodes).
import { el, clear, tableHead, emptyRow } from './dom.js';

/** sessions: /api/sessions' rows; onPick(id) narrows the calls table to that session. */
export function renderSessions(table, sessions, { format, i18n }, onPick) {
  const { t } = i18n;
  clear(table).append(
    tableHead(
      [t('column.session')],
      [t('column.client')],
      [t('column.firstCall')],
      [t('column.lastCall')],
      [t('column.calls'), 'num'],
      [t('column.tokens'), 'num'],
      [t('column.cost'), 'num'],
      [t('column.errors'), 'num'],
    ),
  );
  const body = el('tbody');
  if (sessions.length === 0) body.append(emptyRow(8, t('sessions.empty')));
  for (const s of sessions) {
    const pick = el('button', { type: 'button', className: 'session-id', title: t('sessions.show') }, s.session);
    pick.addEventListener('click', () => onPick(s.session));
    body.append(
      el(
        'tr',
        { 'data-session': s.session },
        el('td', { className: 'key' }, pick),
        el('td', {}, s.client ?? t('common.none')),
        el('td', { className: 'when', title: format.full(s.first_ts) }, format.when(s.first_ts)),
        el('td', { className: 'when', title: format.full(s.last_ts) }, format.when(s.last_ts)),
        el('td', { className: 'num' }, format.int(s.requests)),
        el('td', { className: 'num' }, format.compact(s.prompt_tokens + s.completion_tokens)),
        el('td', { className: 'num', 'data-value': s.cost_usd }, format.usd(s.cost_usd)),
        el(
          'td',
          { className: s.errors + s.blocked > 0 ? 'num err' : 'num' },
          t('sessions.errors', { errors: format.int(s.errors), blocked: format.int(s.blocked) }),
        ),
      ),
    );
  }
  table.append(body);
}

/** Shows (or hides, for null) which session the calls table is narrowed to. */
export function showSessionFilter(session) {
  const bar = document.getElementById('session-filter');
  if (!bar) return;
  bar.hidden = session === null;
  document.getElementById('session-filter-id').textContent = session ?? '';
}
