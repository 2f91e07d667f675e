/** The seed article's method: drop samples beyond 2σ of the mean, then report median and p95. */
export interface SampleStats {
  /** Samples measured. */
  n: number;
  /** Samples left after dropping outliers. */
  kept: number;
  median: number | null;
  p95: number | null;
}

function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

export function withoutOutliers(samples: readonly number[], sigmas = 2): number[] {
  if (samples.length < 3) return [...samples];
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  const sd = Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / samples.length);
  if (sd === 0) return [...samples];
  return samples.filter((x) => Math.abs(x - mean) <= sigmas * sd);
}

export function sampleStats(samples: readonly number[]): SampleStats {
  const kept = withoutOutliers(samples).sort((a, b) => a - b);
  return { n: samples.length, kept: kept.length, median: nearestRank(kept, 0.5), p95: nearestRank(kept, 0.95) };
}
