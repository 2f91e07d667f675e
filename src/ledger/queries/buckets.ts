/**
 * Time buckets aligned to a time zone's wall clock. Day buckets start at local midnight, so on a
 * DST day in Europe/Berlin a "day" is 23 or 25 hours long; sub-day buckets are fixed lengths
 * aligned to the local clock (which matters for offsets like +05:30).
 */
import { BadInputError } from '../../errors.js';
import type { TimeRange } from './range.js';

export const BUCKET_SIZES = ['1m', '5m', '1h', '1d'] as const;
export type BucketSize = (typeof BUCKET_SIZES)[number];

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const BUCKET_MS: Readonly<Record<BucketSize, number>> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '1h': HOUR,
  '1d': DAY,
};

/** More than this many points is too many to chart and too slow to compute: ask for a larger bucket. */
export const MAX_BUCKETS = 2000;

/** Roughly 25–300 points whatever the span. */
export function chooseBucket(spanMs: number): BucketSize {
  if (spanMs <= 2 * HOUR) return '1m';
  if (spanMs <= 36 * HOUR) return '5m';
  if (spanMs <= 8 * DAY) return '1h';
  return '1d';
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads wall-clock fields in one zone; built once per request because Intl formatters are costly. */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  local(t: number): LocalTime {
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(t)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    return {
      year: fields.year ?? 1970,
      month: fields.month ?? 1,
      day: fields.day ?? 1,
      hour: fields.hour ?? 0,
      minute: fields.minute ?? 0,
      second: fields.second ?? 0,
    };
  }

  /** Local time minus UTC at instant t, in ms (e.g. +3_600_000 for Berlin in winter). */
  offsetMs(t: number): number {
    const l = this.local(t);
    const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
    return wall - (t - (((t % 1000) + 1000) % 1000));
  }

  /** The first instant of the local calendar date year-month-day (month 1-based; day may overflow). */
  startOfDate(year: number, month: number, day: number): number {
    const wall = Date.UTC(year, month - 1, day);
    const first = wall - this.offsetMs(wall);
    // A second pass corrects for an offset change between the guess and the true midnight.
    const second = wall - this.offsetMs(first);
    const target = new Date(wall);
    const sameDate = (t: number) => {
      const l = this.local(t);
      return (
        l.year === target.getUTCFullYear() && l.month === target.getUTCMonth() + 1 && l.day === target.getUTCDate()
      );
    };
    const candidates = [second, first].filter(sameDate);
    // Where midnight itself is skipped by DST the day starts at the transition; min() finds it.
    return candidates.length > 0 ? Math.min(...candidates) : second;
  }

  startOfDay(t: number): number {
    const l = this.local(t);
    return this.startOfDate(l.year, l.month, l.day);
  }

  /** Start of the day after the local day containing t. */
  startOfNextDay(t: number): number {
    const l = this.local(t);
    return this.startOfDate(l.year, l.month, l.day + 1);
  }
}

/**
 * Bucket edges covering range: edges[i] is bucket i's start, edges[i + 1] its end. The first
 * bucket starts at or before range.from and the last ends at or after range.to, so every bucket
 * is whole.
 */
export function bucketEdges(range: TimeRange, size: BucketSize, clock: ZoneClock): number[] {
  const edges: number[] = [];
  const pushChecked = (t: number) => {
    edges.push(t);
    if (edges.length > MAX_BUCKETS + 1) {
      throw new BadInputError(
        `bucket: ${size} buckets over this range would give more than ${MAX_BUCKETS} points; choose a larger bucket or a shorter range`,
      );
    }
  };
  if (size === '1d') {
    let t = clock.startOfDay(range.from);
    pushChecked(t);
    while (t < range.to) {
      t = clock.startOfNextDay(t);
      pushChecked(t);
    }
    return edges;
  }
  const step = BUCKET_MS[size];
  const offset = clock.offsetMs(range.from);
  let t = range.from - ((((range.from + offset) % step) + step) % step);
  pushChecked(t);
  while (t < range.to) {
    t += step;
    pushChecked(t);
  }
  return edges;
}
