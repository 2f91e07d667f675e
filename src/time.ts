import { BadInputError } from './errors.js';

export type Period = 'day' | 'week' | 'month';

/** True for any IANA zone name this runtime knows (Europe/Berlin, UTC, …). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
export function zoneParts(
  ts: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ts)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return {
    year: out.year ?? 0,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  const p = zoneParts(ts, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ts - (((ts % 1000) + 1000) % 1000));
}

/** The instant at which a wall-clock time happens in the zone (DST-aware). */
export function zonedInstant(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(guess, timeZone);
}

export function localDate(ts: number, timeZone: string): string {
  const p = zoneParts(ts, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Start of the day, ISO week (Monday) or month containing `ts`, in the zone. */
export function periodStart(ts: number, period: Period, timeZone: string): number {
  const p = zoneParts(ts, timeZone);
  if (period === 'month') return zonedInstant(p.year, p.month, 1, timeZone);
  if (period === 'day') return zonedInstant(p.year, p.month, p.day, timeZone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(p.year, p.month - 1, p.day) - weekday * DAY_MS);
  return zonedInstant(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), timeZone);
}

/** Start of the following period, in the zone. */
export function periodEnd(ts: number, period: Period, timeZone: string): number {
  const start = periodStart(ts, period, timeZone);
  const p = zoneParts(start, timeZone);
  if (period === 'month')
    return p.month === 12 ? zonedInstant(p.year + 1, 1, 1, timeZone) : zonedInstant(p.year, p.month + 1, 1, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day) + (period === 'day' ? 1 : 7) * DAY_MS);
  return zonedInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: DAY_MS } as const;

/** "today", "week", "month", "all", a duration such as "24h" or "7d", or an ISO date/time. */
export function parseSince(text: string, now: number, timeZone: string): number {
  const value = text.trim().toLowerCase();
  if (value === 'today') return periodStart(now, 'day', timeZone);
  if (value === 'week') return periodStart(now, 'week', timeZone);
  if (value === 'month') return periodStart(now, 'month', timeZone);
  if (value === 'all') return 0;
  const duration = DURATION.exec(value);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1).map(Number) as [number, number, number];
    // Date.UTC would roll 2025-13-45 over into 2026; a day that does not exist is a typo.
    if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12)
      return zonedInstant(year, month, day, timeZone);
  }
  const parsed = dateOnly ? NaN : Date.parse(text);
  if (!Number.isNaN(parsed)) return parsed;
  throw new BadInputError(
    `"since" must be today, week, month, all, a duration like 24h or 7d, or a date like 2025-06-01 (got "${text.slice(0, 40)}")`,
  );
}
