// Numbers, money and times through Intl, in the chosen locale and the ledger's configured time zone.
import { createUsdFormat } from './money.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function createFormat(timeZone, locale) {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const compactNumber = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const usdAmount = createUsdFormat(locale);
  const percentFormat = (digits) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits });
  const rateFine = percentFormat(2);
  const rate = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const wholePercent = percentFormat(1);
  const unit = (name, digits) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits });
  const milliseconds = unit('millisecond', 0);
  const seconds = unit('second', 1);
  const minutes = unit('minute', 1);
  const timeOnly = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const hourMinute = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  const monthDay = new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric' });
  const full = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'long' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const dayStart = (ms) => dayKey.format(ms);
  const decimalSign = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value;

  const usd = (value) => (value === null || value === undefined ? '–' : usdAmount(value));

  const duration = (ms) => {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return milliseconds.format(ms);
    if (ms < MINUTE) return seconds.format(ms / 1000);
    return minutes.format(ms / MINUTE);
  };

  /** "in 5 hours", "vor 3 Minuten": the largest unit that fits. */
  const fromNow = (ms) => {
    const delta = ms - Date.now();
    const abs = Math.abs(delta);
    if (abs >= DAY) return relative.format(Math.round(delta / DAY), 'day');
    if (abs >= HOUR) return relative.format(Math.round(delta / HOUR), 'hour');
    return relative.format(Math.round(delta / MINUTE), 'minute');
  };

  return {
    timeZone,
    locale,
    int: (n) => integer.format(n),
    /** 12.3K / 4.5M (or the locale's own compact form) for headline figures; exact below 10,000. */
    compact: (n) => (Math.abs(n) < 10_000 ? integer.format(n) : compactNumber.format(n)),
    usd,
    /** A rate from 0 to 1 (error rate). */
    percent: (value) =>
      value === null || value === undefined ? '–' : (value > 0 && value < 0.001 ? rateFine : rate).format(value),
    /** A number already in percent (quota use: 80 → "80%"). */
    percentOf: (value) => wholePercent.format(value / 100),
    duration,
    /** A typed amount ("2,50" in German) as the API reads it ("2.50"). */
    parseDecimal: (text) => (decimalSign && decimalSign !== '.' ? text.replaceAll(decimalSign, '.') : text),
    /** Short for today's calls, with the date otherwise. */
    when: (ms) => (dayStart(ms) === dayStart(Date.now()) ? timeOnly.format(ms) : dateTime.format(ms)),
    full: (ms) => full.format(ms),
    fromNow,
    /** Chart axis labels: times of day for spans up to two days, dates beyond. */
    axisTime: (ms, spanMs) => (spanMs <= 2 * DAY ? hourMinute.format(ms) : monthDay.format(ms)),
  };
}
