import { BadInputError } from '../errors.js';
import { fromAmount, type Quota, type QuotaStore } from '../ledger/store.js';
import { DEFAULT_THRESHOLDS, QuotaInputError, formatScope, resolveQuotaInput } from './schema.js';

/** Same shape as the input schema, so an existing quota can be the base a change is laid over. */
export function quotaAsInput(quota: Quota): Record<string, unknown> {
  return {
    name: quota.name,
    scope: formatScope({ kind: quota.scope, value: quota.scope_value }),
    metric: quota.metric,
    period: quota.period,
    limit: fromAmount(quota.metric, quota.limit_amount),
    thresholds: quota.thresholds,
    hard: quota.hard,
    time_zone: quota.time_zone,
  };
}

const newQuotaDefaults = (timeZone: string): Record<string, unknown> => ({
  scope: 'global',
  thresholds: [...DEFAULT_THRESHOLDS],
  hard: false,
  time_zone: timeZone,
});

export interface SetOptions {
  /** For a new quota without its own time_zone: the configured zone. */
  defaultTimeZone: string;
  now: number;
  /** create: refuse if the name exists; update: refuse if it does not; upsert: either. */
  mode: 'create' | 'update' | 'upsert';
}

/** The name is checked first so the "exists"/"missing" answers can name it. */
function nameOf(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && 'name' in raw && typeof raw.name === 'string'
    ? raw.name
    : undefined;
}

export class QuotaConflictError extends BadInputError {}
export class QuotaNotFoundError extends BadInputError {}

/**
 * Validates the whole result before writing anything; fields left out keep their current values
 * (or the defaults for a new quota). One statement writes it, so bad input leaves no trace.
 */
export async function setQuota(repo: QuotaStore, raw: unknown, options: SetOptions): Promise<Quota> {
  const name = nameOf(raw);
  const existing = name === undefined ? undefined : await repo.get(name);
  if (existing && options.mode === 'create') {
    throw new QuotaConflictError(
      `a quota named '${existing.name}' already exists; change it with PUT /api/quotas/${existing.name} or \`cometapi-mcp quota set --name ${existing.name} …\``,
    );
  }
  if (!existing && options.mode === 'update' && name !== undefined) {
    throw new QuotaNotFoundError(
      `there is no quota named '${name}'; create it with POST /api/quotas or \`cometapi-mcp quota set --name ${name} --metric … --period … --limit …\``,
    );
  }
  const input = resolveQuotaInput(raw, existing ? quotaAsInput(existing) : newQuotaDefaults(options.defaultTimeZone));
  return repo.upsert(input, options.now);
}

export async function removeQuota(repo: QuotaStore, name: string): Promise<void> {
  if (!(await repo.remove(name))) {
    const known = (await repo.list()).map((q) => q.name);
    const hint = known.length > 0 ? `existing quotas: ${known.join(', ')}` : 'there are no quotas yet';
    throw new QuotaNotFoundError(`there is no quota named '${name.slice(0, 64)}' (${hint})`);
  }
}

export { QuotaInputError };
