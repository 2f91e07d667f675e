/**
 * The PostgreSQL engine reads each run of adjacent range parts with one scan over the run's span:
 * a summary's two raw ends, a day apart, must be two runs (one span would read the whole day),
 * while a time series' touching buckets stay one.
 */
import { describe, expect, it } from 'vitest';
import { adjacentRuns } from '../../src/ledger/postgres/aggregates.js';

const HOUR = 3_600_000;
const part = (i: number, from: number, to: number) => ({ i, range: { from, to } });

describe('adjacentRuns', () => {
  it('splits parts further apart than the gap allowed', () => {
    const ends = [part(0, 0, 600), part(0, 24 * HOUR, 24 * HOUR + 900)];
    expect(adjacentRuns(ends, HOUR)).toEqual([[ends[0]], [ends[1]]]);
  });

  it('keeps touching and nearly touching parts together, in order', () => {
    const buckets = [part(0, 0, 300), part(1, 300, 600), part(2, 600 + HOUR, 900 + HOUR)];
    expect(adjacentRuns(buckets, HOUR)).toEqual([buckets]);
  });

  it('gives no runs for no parts', () => {
    expect(adjacentRuns([], HOUR)).toEqual([]);
  });
});
