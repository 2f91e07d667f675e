// Low-balance alerts in the balance panel: the rules with their state, and a form to set or
// remove one (PUT/DELETE /api/balance/rules/:name), as `cometapi-mcp balance alert` does.
import { describeApiError, sendJSON } from './api.js';
import { el } from './dom.js';

const send = (method, name, body) => sendJSON(method, `/api/balance/rules/${encodeURIComponent(name)}`, body);

/** → { element, render(rules, ctx) }; onChange(state) gets the balance state after a change. */
export function createRuleEditor(getCtx, onChange) {
  const { t } = getCtx().i18n;
  const list = el('ul', { className: 'balance-rules' });
  const error = el('p', { className: 'quota-error', role: 'alert', hidden: true });
  const name = el('input', { name: 'name', value: 'low-balance', required: true, maxLength: 64 });
  const below = el('input', { name: 'below', inputMode: 'decimal', required: true, size: 6, value: '5' });
  const run = (promise) =>
    promise.then(
      (state) => ((error.hidden = true), onChange(state)),
      (e) => ((error.hidden = false), (error.textContent = describeApiError(e, getCtx().i18n))),
    );
  const form = el(
    'form',
    { id: 'balance-rule-form', className: 'quota-form' },
    el('label', { className: 'quota-field' }, el('span', {}, t('balance.ruleName')), name),
    el('label', { className: 'quota-field' }, el('span', {}, t('balance.ruleBelow')), below),
    el('button', { type: 'submit' }, t('balance.ruleSave')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const amount = Number(getCtx().format.parseDecimal(below.value.trim()));
    run(send('PUT', name.value.trim(), { below_usd: amount }));
  });
  return {
    element: el('div', {}, el('h3', {}, t('balance.rules')), list, form, error),
    render(rules) {
      const ctx = getCtx();
      list.replaceChildren(
        ...(rules.length === 0
          ? [el('li', { className: 'muted' }, ctx.i18n.t('balance.ruleNone'))]
          : rules.map((rule) =>
              el(
                'li',
                { 'data-rule': rule.name },
                ctx.i18n.t(rule.armed ? 'balance.ruleArmed' : 'balance.ruleFired', {
                  name: rule.name,
                  amount: ctx.format.usd(rule.below_usd),
                }),
                ' ',
                el(
                  'button',
                  { type: 'button', className: 'link', onclick: () => run(send('DELETE', rule.name)) },
                  ctx.i18n.t('balance.ruleRemove'),
                ),
              ),
            )),
      );
    },
  };
}
