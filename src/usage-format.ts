import { createUsdFormat } from '../dashboard/money.js';
import type { UsageReport, UsageRow } from './ledger/usage-report.js';

const usdInText = createUsdFormat('en-US');

/** Dollars as shown in text, with the digits a sub-cent amount needs (dashboard/money.js); "unpriced" for no price. */
export const formatUsd = (usd: number | null): string => (usd === null ? 'unpriced' : usdInText(usd));

function cells(row: UsageRow): string[] {
  const cost = formatUsd(row.cost_usd) + (row.unpriced_calls > 0 ? ` (+${row.unpriced_calls} unpriced)` : '');
  return [
    row.key,
    String(row.requests),
    String(row.errors + row.blocked),
    String(row.prompt_tokens),
    String(row.completion_tokens),
    cost,
  ];
}

/** A plain-text table for terminals and for MCP text content. */
export function formatUsageTable(report: UsageReport): string {
  const header = [report.by, 'requests', 'failed', 'prompt tok', 'completion tok', 'cost'];
  const body = report.rows.map(cells);
  const footer = cells(report.total);
  const all = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const range = `${new Date(report.since).toISOString()} → ${new Date(report.until).toISOString()} (${report.time_zone})`;
  if (report.rows.length === 0) return `No calls recorded ${range}.`;
  const notes: string[] = [];
  if (report.total.unpriced_calls > 0)
    notes.push(`${report.total.unpriced_calls} call(s) used models with no known price: their cost is not included.`);
  if (report.total.estimated_calls > 0)
    notes.push(`${report.total.estimated_calls} call(s) have estimated token counts (the upstream reported none).`);
  return [`Usage ${range}`, line(header), rule, ...body.map(line), rule, line(footer), ...notes].join('\n');
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatUsageCsv(report: UsageReport): string {
  const columns = [
    'key',
    'requests',
    'errors',
    'blocked',
    'prompt_tokens',
    'completion_tokens',
    'cost_usd',
    'unpriced_calls',
    'estimated_calls',
  ] as const;
  const lines = [[report.by, ...columns.slice(1)].join(',')];
  for (const row of report.rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return lines.join('\n') + '\n';
}
