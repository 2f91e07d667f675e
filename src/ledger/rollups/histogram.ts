/**
 * Fixed log-spaced histograms of milliseconds, so percentiles over long ranges can be read from
 * the rollups. Bucket i holds values v with 2^(i/4) <= 1 + v < 2^((i+1)/4): four buckets per
 * doubling. A bucket reports its geometric middle, so a percentile read from it is within
 * HISTOGRAM_RELATIVE_ERROR of (1 + the exact value), plus 0.5 ms for rounding to whole ms.
 */
import { nearestRank } from '../queries/range.js';

const PER_DOUBLING = 4;
/** 100 buckets reach 2^25 ms (about 9 h); longer values share the last bucket. */
export const HISTOGRAM_BUCKETS = 100;
export const HISTOGRAM_RELATIVE_ERROR = 2 ** (1 / (2 * PER_DOUBLING)) - 1;

export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(HISTOGRAM_BUCKETS).fill(0);
}

export function bucketOf(ms: number): number {
  const i = Math.floor(PER_DOUBLING * Math.log2(1 + Math.max(0, ms)));
  return Math.min(HISTOGRAM_BUCKETS - 1, i);
}

export function bucketValue(i: number): number {
  return Math.round(2 ** ((2 * i + 1) / (2 * PER_DOUBLING)) - 1);
}

export function addValue(h: Histogram, ms: number): void {
  addToBucket(h, bucketOf(ms));
}

/** For callers adding one value to several histograms: bucketOf() once, then this per histogram. */
export function addToBucket(h: Histogram, i: number): void {
  h[i] = (h[i] ?? 0) + 1;
}

/**
 * "first:c,c,c" from the first to the last non-empty bucket; "" when empty. Plain text rather than
 * JSON: parsing it needs no unchecked casts, and trimming keeps a typical row under 100 bytes.
 */
export function encodeHistogram(h: Histogram): string {
  const first = h.findIndex((c) => c > 0);
  if (first < 0) return '';
  let last = h.length - 1;
  while ((h[last] ?? 0) === 0) last -= 1;
  return `${first}:${h.slice(first, last + 1).join(',')}`;
}

/** Adds an encoded histogram's counts into target. */
export function addEncoded(target: Histogram, text: string): void {
  if (text === '') return;
  const colon = text.indexOf(':');
  const first = Number(text.slice(0, colon));
  const counts = text.slice(colon + 1).split(',');
  for (const [offset, count] of counts.entries()) {
    const i = first + offset;
    target[i] = (target[i] ?? 0) + Number(count);
  }
}

export function addHistogram(target: Histogram, source: Histogram): void {
  for (const [i, count] of source.entries()) if (count > 0) target[i] = (target[i] ?? 0) + count;
}

/** Nearest-rank percentile (integer percent) read from the histogram; null when it is empty. */
export function histogramPercentile(h: Histogram, percent: number): number | null {
  const n = h.reduce((s, c) => s + c, 0);
  if (n === 0) return null;
  const rank = nearestRank(percent, n);
  let seen = 0;
  for (const [i, count] of h.entries()) {
    seen += count;
    if (seen >= rank) return bucketValue(i);
  }
  return bucketValue(HISTOGRAM_BUCKETS - 1);
}
