// DOM helpers. Ledger text (model names, client names, error messages) is untrusted: it only ever
// reaches the page through textContent and attributes set here, never through innerHTML.

/**
 * el('td', { className: 'num', title: 'x' }, 'text', childNode) → element.
 * Props are assigned as properties (className, title, hidden, ...) or, for data-*, as attributes.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** Sets a figure's text and keeps the raw number in data-value (used by tests and tooltips). */
export function setFigure(id, text, rawValue, title) {
  const node = byId(id);
  node.textContent = text;
  node.setAttribute('data-value', rawValue === null || rawValue === undefined ? '' : String(rawValue));
  if (title !== undefined) node.title = title;
}

export function tableHead(...columns) {
  return el(
    'thead',
    {},
    el('tr', {}, ...columns.map(([label, className]) => el('th', { className: className ?? '' }, label))),
  );
}

export function emptyRow(colspan, text) {
  return el('tr', {}, el('td', { className: 'empty-row', colSpan: colspan }, text));
}
