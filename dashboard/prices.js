// Prices panel: the prices set in the ledger, the models with none, and a form that changes one
// model's price: Preview shows what repricing its recorded calls would do, Apply stores the price
// and reprices in one transaction (PUT /api/prices/:model). Model names reach the page as text only.
import { registerPanel } from './app.js';
import { describeApiError, sendJSON } from './api.js';
import { clear, el, emptyRow, tableHead } from './dom.js';

const FIELDS = [
  ['input_per_mtok', 'prices.input'],
  ['output_per_mtok', 'prices.output'],
  ['cached_input_per_mtok', 'prices.cached'],
];

function storedTable(data, { format, i18n }) {
  const { t } = i18n;
  const stored = data.models.filter((m) => m.stored_at !== null);
  const cell = (value) => el('td', { className: 'num' }, value === undefined ? '–' : format.usd(value));
  return el(
    'table',
    { id: 'prices-stored', className: 'breakdown' },
    tableHead([t('column.model')], ...FIELDS.map(([, key]) => [t(key), 'num']), [t('prices.storedAt')]),
    el(
      'tbody',
      {},
      ...(stored.length === 0
        ? [emptyRow(FIELDS.length + 2, t('prices.none', { asOf: data.as_of }))]
        : stored.map((m) =>
            el(
              'tr',
              { 'data-model': m.model },
              el('td', {}, m.model),
              ...FIELDS.map(([field]) => cell(m.price[field])),
              el('td', {}, format.when(Date.parse(m.stored_at))),
            ),
          )),
    ),
  );
}

function createPricePanel() {
  let ctx = null;
  let root = null;
  let data = null;
  const controls = {
    model: el('input', { name: 'model', required: true, autocomplete: 'off' }),
    since: el('input', { name: 'reprice_since', type: 'date' }),
    ...Object.fromEntries(FIELDS.map(([field]) => [field, el('input', { name: field, inputMode: 'decimal' })])),
  };
  const models = el('datalist', { id: 'price-models' });
  controls.model.setAttribute('list', 'price-models');
  const result = el('p', { className: 'price-result', 'aria-live': 'polite' });
  const apply = el('button', { type: 'button', disabled: true });
  const preview = el('button', { type: 'submit' });

  /** The form as the API reads it: only the prices typed in, decimal commas made points. */
  const request = () => ({
    price: Object.fromEntries(
      FIELDS.flatMap(([field]) => {
        const text = controls[field].value.trim();
        return text ? [[field, ctx.format.parseDecimal(text)]] : [];
      }),
    ),
    ...(controls.since.value ? { reprice_since: controls.since.value } : {}),
  });
  const show = (text, failed = false) => {
    result.textContent = text;
    result.classList.toggle('quota-error', failed);
  };
  const totals = (key, r) =>
    r.repriced
      ? ctx.i18n.t(`${key}.repriced`, {
          count: r.repriced.calls,
          before: ctx.format.usd(r.repriced.old_usd),
          after: ctx.format.usd(r.repriced.new_usd),
        })
      : ctx.i18n.t(`${key}.fromNow`);
  const fail = (error) => show(describeApiError(error, ctx.i18n), true);

  async function load() {
    data = await ctx.getJSON('/api/prices');
    const names = new Set([...data.seen.map((s) => s.model), ...data.models.map((m) => m.model)]);
    clear(models).append(...[...names].map((name) => el('option', { value: name })));
    const unpriced = data.unpriced.map((s) =>
      ctx.i18n.t('prices.unpricedModel', { model: s.model, count: s.unpriced }),
    );
    clear(root.querySelector('.price-list')).append(
      el('div', { className: 'table-wrap' }, storedTable(data, ctx)),
      el('p', { className: 'table-note', id: 'prices-unpriced' }, unpriced.length ? unpriced.join(' · ') : ''),
    );
  }

  // Any change after a preview needs a new one before Apply.
  for (const control of Object.values(controls)) control.addEventListener('input', () => (apply.disabled = true));
  controls.model.addEventListener('change', () => {
    const known = data?.models.find((m) => m.model === controls.model.value.trim());
    for (const [field] of FIELDS) controls[field].value = known?.price[field] ?? '';
  });
  const form = el('form', { id: 'price-form', className: 'quota-form' });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sendJSON('POST', '/api/prices/preview', { model: controls.model.value.trim(), ...request() })
      .then((r) => {
        show(totals('prices.preview', r));
        apply.disabled = false;
      })
      .catch(fail);
  });
  apply.addEventListener('click', () => {
    apply.disabled = true;
    sendJSON('PUT', `/api/prices/${encodeURIComponent(controls.model.value.trim())}`, request())
      .then(async (r) => {
        show(totals('prices.applied', r));
        await Promise.all([load(), ctx.refreshDashboard()]);
      })
      .catch(fail);
  });

  return {
    id: 'prices',
    mount(container, context) {
      ctx = context;
      const { t } = ctx.i18n;
      preview.textContent = t('prices.previewButton');
      apply.textContent = t('prices.applyButton');
      const label = (key, control) => el('label', {}, el('span', {}, t(key)), control);
      form.append(
        label('prices.model', controls.model),
        models,
        ...FIELDS.map(([field, key]) => label(key, controls[field])),
        label('prices.since', controls.since),
        el('div', { className: 'quota-form-actions' }, preview, apply),
      );
      root = container;
      container.append(
        el('h2', {}, t('prices.title')),
        el('div', { className: 'price-list' }),
        el('details', {}, el('summary', {}, t('prices.editor')), form, result),
      );
      // Loaded once and after each change, not on every refresh: listing the ledger's models scans it.
      load().catch(fail);
    },
  };
}

registerPanel(createPricePanel());
