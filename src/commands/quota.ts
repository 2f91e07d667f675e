import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import type { Quota } from '../ledger/store.js';
import { formatAmount, localDateTime } from '../quotas/format.js';
import { removeQuota, setQuota } from '../quotas/manage.js';
import { QuotaInputError, formatScope } from '../quotas/schema.js';
import { readQuotaState, readQuotaStates } from '../quotas/report.js';
import type { QuotaState } from '../quotas/state.js';
import { formatUsd } from '../usage-format.js';

export const QUOTA_HELP = `cometapi-mcp quota set --name NAME --metric tokens|cost|requests|images --period day|week|month --limit N
                     [--scope global|session|model=ID|tool=NAME|client=NAME|provider=NAME] [--hard | --soft]
                     [--thresholds 50,80,100] [--tz ZONE] [--db FILE|postgres://…]
  cometapi-mcp quota list [--json] [--db FILE|postgres://…]
  cometapi-mcp quota rm NAME [--db FILE|postgres://…]`;

/** The CLI's names for the schema's fields, so an error points at the flag to fix. */
const FLAG_FOR: Record<string, string> = { time_zone: '--tz' };
const flagFor = (field: string) => FLAG_FOR[field] ?? (field ? `--${field}` : '');

function asCliError(error: QuotaInputError): BadInputError {
  const lines = error.issues.map(
    (i) => `  ${i.field ? `${flagFor(i.field)}: ` : ''}${i.message.replace(/\btime_zone\b/g, '--tz')}`,
  );
  return new BadInputError(`invalid quota, nothing was saved:\n${lines.join('\n')}\nUsage: ${QUOTA_HELP}`);
}

/** `quota set|list|rm`. Writes nothing unless the whole quota is valid. */
export async function runQuotaCommand(
  argv: string[],
  config: Config,
  write: (text: string) => void,
  now = Date.now(),
): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'set' && action !== 'list' && action !== 'ls' && action !== 'rm') {
    throw new BadInputError(
      `quota needs one of set, list or rm${action ? ` (got "${action}")` : ''}.\nUsage: ${QUOTA_HELP}`,
    );
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      metric: { type: 'string' },
      period: { type: 'string' },
      limit: { type: 'string' },
      scope: { type: 'string' },
      hard: { type: 'boolean' },
      soft: { type: 'boolean' },
      thresholds: { type: 'string' },
      tz: { type: 'string' },
      json: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
    allowPositionals: action === 'rm',
    strict: true,
  });
  if (values.hard && values.soft) throw new BadInputError('give --hard or --soft, not both');
  const store = await openStore(ledgerOptions(config, values.db));
  try {
    const repo = store.quotas;
    if (action === 'rm') {
      const name = positionals[0] ?? values.name;
      if (!name) throw new BadInputError(`name the quota to remove: cometapi-mcp quota rm NAME`);
      await removeQuota(repo, name);
      write(`quota '${name}' removed\n`);
      return;
    }
    if (action === 'set') {
      const raw = {
        name: values.name,
        metric: values.metric,
        period: values.period,
        limit: values.limit,
        scope: values.scope,
        thresholds: values.thresholds,
        time_zone: values.tz,
        hard: values.hard ? true : values.soft ? false : undefined,
      };
      let quota: Quota;
      try {
        quota = await setQuota(repo, raw, { defaultTimeZone: config.timeZone, now, mode: 'upsert' });
      } catch (error) {
        throw error instanceof QuotaInputError ? asCliError(error) : error;
      }
      write(`${describeQuota(quota)}\n${formatQuotaTable([await readQuotaState(store, quota, now)])}\n`);
      return;
    }
    const states = await readQuotaStates(store, now);
    if (values.json) write(JSON.stringify(states, null, 2) + '\n');
    else
      write(
        states.length === 0
          ? 'No quotas. Add one with: cometapi-mcp quota set --name daily-cost --metric cost --period day --limit 5\n'
          : formatQuotaTable(states) + '\n',
      );
  } finally {
    await store.close();
  }
}

export function describeQuota(q: Quota): string {
  const scope =
    q.scope === 'global'
      ? 'all calls'
      : q.scope === 'session'
        ? 'each session separately'
        : formatScope({ kind: q.scope, value: q.scope_value });
  return (
    `quota '${q.name}' saved: ${q.metric} up to ${formatAmount(q.metric, q.limit_amount)} per ${q.period} (${q.time_zone}) for ${scope}, ` +
    `${q.hard ? 'hard (calls past it are refused)' : 'soft (alerts only)'}; alerts at ${q.thresholds.join('/')}%`
  );
}

const figure = (s: QuotaState, value: number) => (s.metric !== 'cost' ? String(value) : formatUsd(value));

/** Used / limit / % for the current period, one line per quota. */
export function formatQuotaTable(states: readonly QuotaState[]): string {
  const header = ['name', 'scope', 'metric', 'period', 'used', 'limit', '%', 'forecast', 'kind', 'resets'];
  const rows = states.map((s) => [
    s.name,
    s.scope,
    s.metric,
    s.period,
    figure(s, s.used),
    figure(s, s.limit),
    `${s.percent.toFixed(1)}%`,
    `${figure(s, s.forecast)} (${Math.round(s.forecast_percent)}%)`,
    s.hard ? 'hard' : 'soft',
    `${localDateTime(Date.parse(s.resets_at), s.time_zone)} ${s.time_zone}`,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([4, 5, 6, 7]);
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
