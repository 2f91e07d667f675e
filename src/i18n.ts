/**
 * The CLI's language for `setup` and `verify`: the dashboard's own catalogs (dashboard/locales/),
 * looked up with i18next like the page does, chosen from LC_ALL / LC_MESSAGES / LANG.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogLookup, type Catalog, type Translate } from './i18n-lookup.js';

export const LOCALES = ['en', 'zh-CN', 'de', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** dashboard/locales/ sits one level above both src/ and dist/. */
export const LOCALES_DIR = fileURLToPath(new URL('../dashboard/locales/', import.meta.url));

/**
 * POSIX precedence (LC_ALL, then LC_MESSAGES, then LANG); "de_DE.UTF-8" → de, any Chinese →
 * zh-CN (the only Chinese catalog); C, POSIX, unset or another language → en.
 */
export function localeFromEnv(env: NodeJS.ProcessEnv): Locale {
  const setting = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  const language = setting.split(/[_.@-]/)[0]?.toLowerCase();
  return LOCALES.find((locale) => locale.split('-')[0] === language) ?? 'en';
}

export type { Translate };

/** Reads the catalogs now (not at import time); a key missing from one falls back to English. */
export function createTranslator(locale: Locale, dir: string = LOCALES_DIR): Translate {
  const catalog = (name: Locale): Catalog =>
    JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Catalog;
  const names: Locale[] = locale === 'en' ? ['en'] : ['en', locale];
  return catalogLookup(locale, Object.fromEntries(names.map((name) => [name, catalog(name)])));
}
