/**
 * The view's language: the dashboard's catalogs (dashboard/locales/, bundled in at build time since
 * the view may fetch nothing), looked up with i18next. The host's locale decides (MCP Apps
 * hostContext.locale), else the browser's; a key missing from a catalog falls back to English.
 */
import de from '../../dashboard/locales/de.json' with { type: 'json' };
import en from '../../dashboard/locales/en.json' with { type: 'json' };
import es from '../../dashboard/locales/es.json' with { type: 'json' };
import zhCN from '../../dashboard/locales/zh-CN.json' with { type: 'json' };
import { catalogLookup } from '../../src/i18n-lookup.js';

const CATALOGS = { en, 'zh-CN': zhCN, de, es };
type Locale = keyof typeof CATALOGS;

export interface ViewText {
  locale: Locale;
  t(key: string, values?: Record<string, string | number>): string;
  number(value: number): string;
  dateTime(when: number | string, timeZone: string): string;
  time(ms: number): string;
}

/** de-AT → de, any Chinese → zh-CN (the only Chinese catalog), anything else → en. */
export function localeOf(tag: string | undefined): Locale {
  const language = (tag ?? '').toLowerCase().split('-')[0];
  return (Object.keys(CATALOGS) as Locale[]).find((locale) => locale.toLowerCase().split('-')[0] === language) ?? 'en';
}

export function createViewText(tag: string | undefined): ViewText {
  const locale = localeOf(tag);
  const t = catalogLookup(locale, { en, [locale]: CATALOGS[locale] });
  const numbers = new Intl.NumberFormat(locale);
  return {
    locale,
    t,
    number: (value) => numbers.format(value),
    dateTime: (when, timeZone) =>
      new Date(when).toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }),
    time: (ms) => new Date(ms).toLocaleTimeString(locale),
  };
}

/** Translates the page's static labels, marked data-i18n="key". */
export function translateStatic(text: ViewText): void {
  document.documentElement.lang = text.locale;
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((node) => {
    if (node.dataset.i18n) node.textContent = text.t(node.dataset.i18n);
  });
}
