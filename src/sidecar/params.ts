/**
 * Query-parameter schemas for the JSON API. Every failure becomes a BadInputError whose message
 * names the parameter and what it accepts, which the app turns into a 400.
 */
import { z } from 'zod';
import { withoutBlankValues } from '../config.js';
import { BadInputError } from '../errors.js';
import type { TimeRange } from '../ledger/store.js';
import { isTimeZone } from '../time.js';

export const RANGES = ['1h', '24h', '7d', '30d', 'custom'] as const;
export type RangeName = (typeof RANGES)[number];

const RANGE_MS: Readonly<Record<Exclude<RangeName, 'custom'>, number>> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

const INSTANT_HELP = 'must be milliseconds since the Unix epoch or an ISO 8601 time such as 2025-06-01T00:00:00Z';

const instant = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: INSTANT_HELP });
    return z.NEVER;
  }
  return ms;
});

export function intParam(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,15}$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export const rangeFields = {
  range: oneOf(RANGES).optional(),
  from: instant.optional(),
  to: instant.optional(),
  tz: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin, America/New_York or UTC')
    .optional(),
};

export type RangeQuery = {
  range?: RangeName | undefined;
  from?: number | undefined;
  to?: number | undefined;
  tz?: string | undefined;
};

/**
 * Validates a query string against a z.strictObject schema: unknown parameters are errors, not
 * silently ignored, so a typo like `rnage=7d` says so instead of showing the default range.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(withoutBlankValues(query));
  if (parsed.success) return parsed.data;
  const allowed = Object.keys(schema.shape).join(', ');
  const messages = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown query parameter ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${allowed}`;
    }
    return `${issue.path.join('.') || 'query'}: ${issue.message}`;
  });
  throw new BadInputError(messages.join('; '));
}

export interface ResolvedRange {
  name: RangeName;
  range: TimeRange;
  timeZone: string;
}

/**
 * Turns range/from/to/tz into a half-open window. Presets end now; `custom` needs `from` and
 * takes `to` (default now). from/to without a range mean custom.
 */
export function resolveRange(
  query: RangeQuery,
  now: number,
  defaultTimeZone: string,
  fallback: RangeName = '24h',
): ResolvedRange {
  const timeZone = query.tz ?? defaultTimeZone;
  const hasBounds = query.from !== undefined || query.to !== undefined;
  const name = query.range ?? (hasBounds ? 'custom' : fallback);
  if (name !== 'custom') {
    if (hasBounds) throw new BadInputError(`from/to: only allowed with range=custom (got range=${name})`);
    return { name, range: { from: now - RANGE_MS[name], to: now }, timeZone };
  }
  if (query.from === undefined) throw new BadInputError(`from: required when range=custom; ${INSTANT_HELP}`);
  const to = query.to ?? now;
  if (query.from >= to) throw new BadInputError('from: must be earlier than to');
  return { name, range: { from: query.from, to }, timeZone };
}
