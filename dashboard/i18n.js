// The dashboard's languages: i18next (served from /vendor) over one JSON catalog per language in
// /locales/. English is always loaded too, so a key missing from another catalog shows in English,
// never as a raw key (test/i18n-catalogs.test.ts reports any such gap).
import i18next from '/vendor/i18next.js';

/** Each language under its own name, as the switcher shows it. */
export const LOCALES = { en: 'English', 'zh-CN': '简体中文', de: 'Deutsch', es: 'Español' };
const STORAGE_KEY = 'cometapi-mcp.locale';

/**
 * The stored choice, else the first browser language we have by its language part (de-AT → de;
 * any Chinese → 简体中文, the only Chinese catalog), else English.
 */
function chooseLocale(stored, browserLanguages) {
  if (stored && Object.hasOwn(LOCALES, stored)) return stored;
  const languageOf = (tag) => tag.toLowerCase().split('-')[0];
  for (const tag of browserLanguages) {
    const match = Object.keys(LOCALES).find((locale) => languageOf(locale) === languageOf(tag));
    if (match) return match;
  }
  return 'en';
}

async function fetchCatalog(locale) {
  const response = await fetch(`/locales/${locale}.json`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`could not load /locales/${locale}.json (HTTP ${response.status})`);
  return response.json();
}

/**
 * Splits a translation around {{slot}} markers so elements (links, <code>) can sit inside a
 * sentence whose word order each language decides.
 */
function withSlots(text, slots) {
  return text.split(/\{\{(\w+)\}\}/).map((part, i) => (i % 2 === 0 ? part : (slots[part] ?? '')));
}

export async function loadI18n() {
  const locale = chooseLocale(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]);
  const locales = locale === 'en' ? ['en'] : ['en', locale];
  const catalogs = await Promise.all(locales.map(fetchCatalog));
  const i18n = i18next.createInstance();
  await i18n.init({
    lng: locale,
    fallbackLng: 'en',
    resources: Object.fromEntries(locales.map((l, i) => [l, { translation: catalogs[i] }])),
    // Keys are flat ("card.cost"), and values reach the page as text nodes, never as HTML.
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
  });
  const t = (key, values) => i18n.t(key, values);
  /** t() whose values may be DOM nodes; returns parts for el() or append(). */
  const parts = (key, slots = {}) =>
    withSlots(t(key, Object.fromEntries(Object.keys(slots).map((name) => [name, `{{${name}}}`]))), slots);

  /**
   * Translates the page's static text: [data-i18n] replaces an element's content (children with
   * data-slot="name" fill {{name}}), data-i18n-title / -aria-label / -placeholder set attributes.
   */
  const translatePage = (root) => {
    for (const node of root.querySelectorAll('[data-i18n]')) {
      const slots = Object.fromEntries(
        Array.from(node.querySelectorAll(':scope > [data-slot]'), (slot) => [slot.dataset.slot, slot]),
      );
      node.replaceChildren(...parts(node.dataset.i18n, slots));
    }
    for (const attribute of ['title', 'aria-label', 'placeholder']) {
      for (const node of root.querySelectorAll(`[data-i18n-${attribute}]`))
        node.setAttribute(attribute, t(node.getAttribute(`data-i18n-${attribute}`)));
    }
  };

  const choose = (next) => {
    localStorage.setItem(STORAGE_KEY, next);
    // Everything on the page (charts, tables, panels) is built in the chosen language: start over.
    location.reload();
  };

  document.documentElement.lang = locale;
  return { locale, t, has: (key) => i18n.exists(key), parts, translatePage, choose };
}
