/**
 * The message catalogs (dashboard/locales/*.json): every language has every key of en.json with
 * the same placeholders and the plural forms its language needs; every key the page and the CLI
 * ask for exists; a missing key reads in English, never as the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertDelivery } from '../src/ledger/alerts.js';
import { DRIFT_CAUSES } from '../src/ledger/balance.js';
import { LOCALES, LOCALES_DIR, createTranslator, localeFromEnv, type Locale } from '../src/i18n.js';
import { QUOTA_METRICS, QUOTA_PERIODS, SCOPE_KINDS } from '../src/quotas/schema.js';
import { HINT_CODES } from '../src/sidecar/present.js';
import { tempDir } from './helpers/harness.js';

type Catalog = Record<string, string>;
const DASHBOARD_DIR = path.resolve(LOCALES_DIR, '..');
const PLURAL = /_(zero|one|two|few|many|other)$/;

const readCatalog = (locale: Locale): Catalog =>
  JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, `${locale}.json`), 'utf8')) as Catalog;
const en = readCatalog('en');

/** "{{count, number}} of {{limit}}" → ['count', 'limit']. */
const placeholders = (text: string) =>
  [...new Set(Array.from(text.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g), (m) => m[1]))].sort();

/** en's keys with plural forms folded to their base: summary.retries_one/_other → summary.retries. */
function baseKeys(catalog: Catalog): Map<string, { plural: boolean }> {
  const bases = new Map<string, { plural: boolean }>();
  for (const key of Object.keys(catalog)) bases.set(key.replace(PLURAL, ''), { plural: PLURAL.test(key) });
  return bases;
}

/** The keys a locale must have: plural bases get exactly the forms Intl.PluralRules uses there. */
function requiredKeys(locale: Locale): string[] {
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  return [...baseKeys(en)].flatMap(([base, { plural }]) =>
    plural ? categories.map((category) => `${base}_${category}`) : [base],
  );
}

/** The English text a key's placeholders are compared with (plural forms: the "other" form). */
const englishFor = (key: string) => en[key] ?? en[`${key.replace(PLURAL, '')}_other`] ?? '';

/**
 * Values a translation may share with English: file paths and abbreviations everywhere, and words
 * the language uses as English does. Anything else equal to en.json is a sentence left untranslated
 * (which the browser test cannot tell from a deliberate loan word).
 */
const SAME_IN_EVERY_LANGUAGE = [
  'card.ttft',
  'summary.percentiles',
  'footer.prometheus',
  'cli.setup.where.cursor',
  'cli.setup.where.vscode',
];
const SAME_AS_ENGLISH: Readonly<Record<Locale, readonly string[]>> = {
  en: [],
  'zh-CN': [],
  // Name, Status, Client, Limit, Tokens, Prompt, global and Live are German words in this sense too.
  de: [
    'live.open',
    'chart.tokens',
    'series.prompt',
    'column.name',
    'column.tokens',
    'column.client',
    'column.status',
    'filter.status',
    'filter.client',
    'scope.global',
    'form.name',
    'form.limit',
  ],
  // Spanish says "error", "global" and "tokens" too.
  es: [
    'chart.tokens',
    'column.tokens',
    'column.error',
    'status.error',
    'metric.tokens',
    'metricOption.tokens',
    'amount.tokens_one',
    'amount.tokens_other',
    'scope.global',
  ],
};

describe('message catalogs', () => {
  it('has one catalog per supported language, and nothing else in the folder', () => {
    expect(fs.readdirSync(LOCALES_DIR).sort()).toEqual(LOCALES.map((l) => `${l}.json`).sort());
  });

  for (const locale of LOCALES) {
    describe(locale, () => {
      const catalog = readCatalog(locale);

      it('has every key of en.json (with its plural forms), and no key en.json lacks', () => {
        const required = requiredKeys(locale);
        expect(
          required.filter((key) => !Object.hasOwn(catalog, key)),
          `keys missing from ${locale}.json`,
        ).toEqual([]);
        expect(
          Object.keys(catalog).filter((key) => !required.includes(key)),
          `keys in ${locale}.json that en.json does not have`,
        ).toEqual([]);
      });

      it('uses the same placeholders as English, and no empty values', () => {
        const mismatched = Object.entries(catalog)
          .filter(([key, text]) => {
            const expected = placeholders(englishFor(key));
            const got = placeholders(text);
            // A "one" form may say the number in words ("1 retry" → "eine Wiederholung").
            const optional = key.endsWith('_one') ? expected.filter((p) => p !== 'count') : expected;
            return !(got.join() === expected.join() || got.join() === optional.join());
          })
          .map(([key]) => key);
        expect(mismatched, `placeholders differ from en.json in ${locale}.json`).toEqual([]);
        expect(Object.entries(catalog).filter(([, text]) => text.trim() === '')).toEqual([]);
      });

      it.skipIf(locale === 'en')('translates every value, except the few a language shares with English', () => {
        const allowed = [...SAME_IN_EVERY_LANGUAGE, ...SAME_AS_ENGLISH[locale]];
        const untranslated = Object.keys(catalog).filter((key) => catalog[key] === en[key] && !allowed.includes(key));
        expect(untranslated, `values in ${locale}.json still in English`).toEqual([]);
      });
    });
  }

  it('has every key the page and its scripts ask for by name', () => {
    const html = fs.readFileSync(path.join(DASHBOARD_DIR, 'index.html'), 'utf8');
    const scripts = fs
      .readdirSync(DASHBOARD_DIR)
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(DASHBOARD_DIR, f), 'utf8'))
      .join('\n');
    const asked = [
      ...Array.from(html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g), (m) => m[1] ?? ''),
      ...Array.from(scripts.matchAll(/\b(?:t|parts|has)\(\s*'([^'$]+)'/g), (m) => m[1] ?? ''),
      // Keys chosen by a condition: t(cond ? 'a' : 'b').
      ...Array.from(scripts.matchAll(/\?\s*'([a-z]+\.[A-Za-z.]+)'\s*:\s*'([a-z]+\.[A-Za-z.]+)'/g), (m) => [
        m[1] ?? '',
        m[2] ?? '',
      ]).flat(),
    ];
    expect(asked.length).toBeGreaterThan(100);
    const bases = baseKeys(en);
    expect(asked.filter((key) => !bases.has(key))).toEqual([]);
  });

  it('has a sentence for every value the page builds a key from', () => {
    const deliveries = {
      pending: true,
      delivered: true,
      failed: true,
      'no-webhook': true,
    } satisfies Record<AlertDelivery, true>;
    const families = [
      ...HINT_CODES.map((code) => `hint.${code}`),
      ...['ok', 'error', 'blocked'].map((status) => `status.${status}`),
      ...QUOTA_METRICS.flatMap((m) => [`metric.${m}`, `metricOption.${m}`]),
      ...QUOTA_METRICS.filter((m) => m !== 'cost').map((m) => `amount.${m}`),
      ...QUOTA_PERIODS.flatMap((p) => [`period.${p}`, `quota.per.${p}`, `quota.forecast.${p}`]),
      ...QUOTA_PERIODS.map((p) => `quota.forecastTitle.${p}`),
      ...SCOPE_KINDS.map((s) => `scope.${s}`),
      ...Object.keys(deliveries).map((d) => `delivery.${d}`),
      ...['name', 'scope', 'metric', 'period', 'limit', 'thresholds', 'hard', 'time_zone'].map(
        (field) => `quotaIssue.invalid.${field}`,
      ),
      ...['required', 'unknown_field', 'not_object', 'body_not_json', 'rename', 'other'].map((c) => `quotaIssue.${c}`),
      ...['cherry', 'claude', 'cursor', 'vscode'].map((client) => `cli.setup.where.${client}`),
      ...DRIFT_CAUSES.map((cause) => `reconcile.cause.${cause}`),
    ];
    const bases = baseKeys(en);
    expect(families.filter((key) => !bases.has(key))).toEqual([]);
  });
});

describe('the CLI translator', () => {
  it('reads the language from LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(localeFromEnv({ LANG: 'de_DE.UTF-8' })).toBe('de');
    expect(localeFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(localeFromEnv({ LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(localeFromEnv({ LANG: 'es_MX.UTF-8', LC_MESSAGES: 'de_AT' })).toBe('de');
    expect(localeFromEnv({ LANG: 'de_DE.UTF-8', LC_ALL: 'es_ES.UTF-8' })).toBe('es');
    expect(localeFromEnv({ LANG: 'de_DE.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(localeFromEnv({ LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(localeFromEnv({})).toBe('en');
  });

  it('falls back to English for a key a catalog lacks, never showing the key', () => {
    const dir = tempDir('cometapi-mcp-locales-');
    try {
      const partial = { ...readCatalog('de') };
      delete partial['cli.setup.link'];
      fs.writeFileSync(path.join(dir, 'en.json'), JSON.stringify(en));
      fs.writeFileSync(path.join(dir, 'de.json'), JSON.stringify(partial));
      const t = createTranslator('de', dir);
      expect(t('cli.setup.link')).toBe(en['cli.setup.link']);
      expect(t('cli.verify.failed', { reason: 'x' })).toBe('FEHLGESCHLAGEN: x');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats numbers and plurals for the language', () => {
    expect(createTranslator('de')('amount.requests', { count: 1234 })).toBe('1.234 Anfragen');
    expect(createTranslator('de')('amount.requests', { count: 1 })).toBe('1 Anfrage');
    expect(createTranslator('en')('summary.retries', { count: 1 })).toBe('1 retry');
    expect(createTranslator('zh-CN')('amount.images', { count: 3 })).toBe('3 张图片');
    expect(createTranslator('es')('amount.requests', { count: 1_000_000 })).toBe('1.000.000 solicitudes');
  });
});
