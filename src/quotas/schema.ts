import { z } from 'zod';
import { BadInputError } from '../errors.js';
import type { Period } from '../time.js';
import { isTimeZone } from '../time.js';
import { nanoFromUsd } from '../ledger/calls.js';

/**
 * The one definition of a valid quota. The CLI (`quota set`), the JSON API (`/api/quotas`) and the
 * dashboard form all go through `parseQuotaInput`/`parseQuotaPatch`, so they accept and refuse
 * exactly the same things with the same messages.
 */

export const QUOTA_METRICS = ['tokens', 'cost', 'requests', 'images'] as const;
export const QUOTA_PERIODS = ['day', 'week', 'month'] as const satisfies readonly Period[];
export const SCOPE_KINDS = ['global', 'model', 'tool', 'client', 'provider', 'session'] as const;
export const DEFAULT_THRESHOLDS: readonly number[] = [50, 80, 100];

export type QuotaMetric = (typeof QUOTA_METRICS)[number];
export type ScopeKind = (typeof SCOPE_KINDS)[number];

export interface QuotaScope {
  kind: ScopeKind;
  /** null for global, and for session as stored (each session is counted on its own). */
  value: string | null;
}

const got = (input: unknown): string =>
  input === undefined ? '' : `; got ${JSON.stringify(input)?.slice(0, 60) ?? String(input)}`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SCOPE = /^(model|tool|client|provider)=(.{1,200})$/s;

/**
 * "global", "session" (a limit for every session separately) or "model=gpt-4o"; the form used on
 * the command line, in the API and on the page.
 */
export function parseScope(text: string): QuotaScope | null {
  const trimmed = text.trim();
  if (trimmed === 'global' || trimmed === 'session') return { kind: trimmed, value: null };
  const match = SCOPE.exec(trimmed);
  if (!match?.[1] || !match[2]?.trim()) return null;
  return { kind: match[1] as Exclude<ScopeKind, 'global'>, value: match[2].trim() };
}

/** A session quota applied to one session (in a refusal) names it: "session=…". */
export const formatScope = (scope: QuotaScope): string =>
  scope.value === null ? scope.kind : `${scope.kind}=${scope.value}`;

const scopeField = z
  .string({ error: 'must be a string such as global, session or model=gpt-4o' })
  .transform((text, ctx) => {
    const scope = parseScope(text);
    if (!scope) {
      ctx.addIssue({
        code: 'custom',
        message: `must be global or one of session (a limit for each session separately), model=…, tool=…, client=…, provider=… (e.g. model=gpt-4o); got "${text.slice(0, 60)}"`,
      });
      return z.NEVER;
    }
    return scope;
  });

const thresholdList = z
  .array(
    z
      .number({ error: 'each threshold must be a number of percent, e.g. 80' })
      .gt(0, 'each threshold must be above 0%')
      .max(1000, 'each threshold must be at most 1000%'),
  )
  .min(1, 'give at least one threshold, e.g. 50,80,100')
  .max(10, 'give at most 10 thresholds')
  .refine((list) => new Set(list).size === list.length, 'thresholds must not repeat')
  .transform((list) => [...list].sort((a, b) => a - b));

/** The CLI passes "50,80,100"; the API passes [50, 80, 100]. */
const thresholdsField = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)))
      : value,
  thresholdList,
);

/** The CLI passes strings; JSON passes numbers. */
const limitField = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(/^\$/, '')) : value),
  z
    .number({ error: 'must be a number, e.g. 5 (USD for cost) or 100000 (tokens)' })
    .refine(Number.isFinite, 'must be a finite number')
    .gt(0, 'must be greater than 0, e.g. 5')
    .max(1e12, 'must be at most 1e12'),
);

const fields = {
  name: z
    .string({ error: 'is required, e.g. daily-cost' })
    .regex(NAME, 'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. daily-cost)'),
  scope: scopeField,
  metric: z.enum(QUOTA_METRICS, {
    error: (issue) => `must be one of ${QUOTA_METRICS.join(', ')} (cost is in USD)${got(issue.input)}`,
  }),
  period: z.enum(QUOTA_PERIODS, { error: (issue) => `must be one of ${QUOTA_PERIODS.join(', ')}${got(issue.input)}` }),
  limit: limitField,
  thresholds: thresholdsField,
  hard: z.boolean({ error: 'must be true (refuse calls past the limit) or false (alert only)' }),
  time_zone: z
    .string({ error: 'must be an IANA time zone such as Europe/Berlin or UTC' })
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York, Asia/Tokyo or UTC'),
};

/** Every field, as a new quota needs them (defaults are applied before this runs). */
const quotaSchema = z.strictObject(fields).superRefine((quota, ctx) => {
  if (quota.metric !== 'cost' && !Number.isInteger(quota.limit)) {
    ctx.addIssue({
      code: 'custom',
      path: ['limit'],
      message: `must be a whole number of ${quota.metric} (got ${quota.limit})`,
    });
  }
  if (quota.metric === 'cost' && quota.limit > 0 && nanoFromUsd(quota.limit) < 1) {
    ctx.addIssue({ code: 'custom', path: ['limit'], message: 'must be at least $0.000000001' });
  }
});

export type QuotaInput = z.output<typeof quotaSchema>;

export interface QuotaIssue {
  field: string;
  /**
   * Stable kind of issue for translation: invalid (the field's value; the field says which),
   * required, unknown_field, not_object, body_not_json, rename.
   */
  code: string;
  message: string;
}

/** Bad quota input; `issues` name each field so the API can return them and the CLI print them. */
export class QuotaInputError extends BadInputError {
  constructor(readonly issues: QuotaIssue[]) {
    super(
      `invalid quota: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`,
      'invalid_quota',
    );
  }
}

function issuesOf(error: z.ZodError, given: Record<string, unknown>): QuotaIssue[] {
  const issues = error.issues.map((issue): QuotaIssue => {
    if (issue.code === 'unrecognized_keys') {
      return {
        field: '',
        code: 'unknown_field',
        message: `unknown field(s) ${issue.keys.join(', ')}; known fields are ${Object.keys(fields).join(', ')}`,
      };
    }
    // Report "thresholds.1" as "thresholds": that is the flag or field a person can change.
    const field = String(issue.path[0] ?? '');
    const missing = field !== '' && given[field] === undefined;
    return missing
      ? { field, code: 'required', message: `is required for a new quota (${hintFor(field)})` }
      : { field, code: 'invalid', message: issue.message };
  });
  return issues.filter(
    (issue, i) => issues.findIndex((o) => o.field === issue.field && o.message === issue.message) === i,
  );
}

function hintFor(field: string): string {
  if (field === 'metric') return `one of ${QUOTA_METRICS.join(', ')}`;
  if (field === 'period') return `one of ${QUOTA_PERIODS.join(', ')}`;
  if (field === 'limit') return 'a number above 0, e.g. 5';
  if (field === 'name') return 'e.g. daily-cost';
  return 'see cometapi-mcp quota --help';
}

/**
 * Validates `raw` laid over `base` (an existing quota's fields, or the defaults for a new one), so
 * `quota set --name daily-cost --limit 10` changes only the limit. Throws QuotaInputError.
 */
export function resolveQuotaInput(raw: unknown, base: Record<string, unknown>): QuotaInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new QuotaInputError([
      {
        field: '',
        code: 'not_object',
        message: 'send a JSON object such as {"name": "daily-cost", "metric": "cost", "period": "day", "limit": 5}',
      },
    ]);
  }
  const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const merged = { ...base, ...given };
  const parsed = quotaSchema.safeParse(merged);
  if (!parsed.success) throw new QuotaInputError(issuesOf(parsed.error, merged));
  return parsed.data;
}
