import { describe, expect, it } from 'vitest';
import { localDate, parseSince, periodEnd, periodStart, zoneOffsetMs } from '../src/time.js';

const iso = (ts: number) => new Date(ts).toISOString();

describe('zone-aware periods', () => {
  it('starts the day at local midnight, across a DST change', () => {
    // New York springs forward on 2025-03-09: midnight is still EST (UTC-5), the next is EDT (UTC-4).
    const noon = Date.parse('2025-03-09T16:00:00Z');
    expect(iso(periodStart(noon, 'day', 'America/New_York'))).toBe('2025-03-09T05:00:00.000Z');
    expect(iso(periodEnd(noon, 'day', 'America/New_York'))).toBe('2025-03-10T04:00:00.000Z');
  });

  it('rolls the day over at local midnight, not UTC midnight', () => {
    // 23:30 in Tokyo on 1 June is 14:30 UTC; 00:30 on 2 June is 15:30 UTC.
    expect(localDate(Date.parse('2025-06-01T14:30:00Z'), 'Asia/Tokyo')).toBe('2025-06-01');
    expect(localDate(Date.parse('2025-06-01T15:30:00Z'), 'Asia/Tokyo')).toBe('2025-06-02');
    expect(iso(periodStart(Date.parse('2025-06-01T15:30:00Z'), 'day', 'Asia/Tokyo'))).toBe('2025-06-01T15:00:00.000Z');
  });

  it('handles month ends, leap years and the year boundary', () => {
    const lastMinuteOfFeb = Date.parse('2024-02-29T22:59:00Z'); // 23:59 in Berlin (CET)
    expect(iso(periodStart(lastMinuteOfFeb, 'month', 'Europe/Berlin'))).toBe('2024-01-31T23:00:00.000Z');
    expect(iso(periodEnd(lastMinuteOfFeb, 'month', 'Europe/Berlin'))).toBe('2024-02-29T23:00:00.000Z');
    expect(iso(periodEnd(Date.parse('2025-12-15T00:00:00Z'), 'month', 'UTC'))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('starts weeks on Monday', () => {
    // Sunday 2025-06-08 in UTC belongs to the week of Monday 2025-06-02.
    expect(iso(periodStart(Date.parse('2025-06-08T12:00:00Z'), 'week', 'UTC'))).toBe('2025-06-02T00:00:00.000Z');
    expect(iso(periodEnd(Date.parse('2025-06-08T12:00:00Z'), 'week', 'UTC'))).toBe('2025-06-09T00:00:00.000Z');
  });

  it('knows half-hour zones', () => {
    expect(zoneOffsetMs(Date.parse('2025-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });
});

describe('parseSince', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');
  it.each([
    ['today', '2025-06-10T00:00:00.000Z'],
    ['24h', '2025-06-09T12:00:00.000Z'],
    ['7d', '2025-06-03T12:00:00.000Z'],
    ['month', '2025-06-01T00:00:00.000Z'],
    ['2025-05-01', '2025-05-01T00:00:00.000Z'],
    ['all', '1970-01-01T00:00:00.000Z'],
  ])('%s', (text, expected) => {
    expect(iso(parseSince(text, now, 'UTC'))).toBe(expected);
  });

  it('explains what it accepts', () => {
    expect(() => parseSince('last tuesday', now, 'UTC')).toThrow(/today, week, month, all/);
  });
});
