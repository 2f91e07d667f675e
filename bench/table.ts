/** Benchmark results as a markdown table; the columns are the first row's keys, in order. */
export function markdownTable(rows: readonly Record<string, string | number | null>[]): string {
  const first = rows[0];
  if (!first) return '(no results)\n';
  const columns = Object.keys(first);
  const cell = (value: string | number | null | undefined) =>
    value === null || value === undefined ? '–' : typeof value === 'number' ? formatNumber(value) : value;
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((c) => (typeof first[c] === 'number' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => cell(row[c])).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}

/** The q-quantile (0..1) of already sorted numbers, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
