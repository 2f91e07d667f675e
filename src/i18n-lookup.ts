/**
 * The one i18next setup the CLI and the usage view share (no Node imports, so the view bundles it):
 * English plus one other catalog, keys with dots taken whole, a key missing from the catalog
 * falling back to English. Values are never escaped: they reach text, never HTML.
 */
import i18next from 'i18next';

export type Catalog = Record<string, string>;
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** `catalogs` holds en and, for another locale, that locale's catalog. */
export function catalogLookup(locale: string, catalogs: Record<string, Catalog>): Translate {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: 'en',
    initAsync: false,
    resources: Object.fromEntries(Object.entries(catalogs).map(([name, catalog]) => [name, { translation: catalog }])),
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
  });
  return (key, values) => instance.t(key, values ?? {});
}
