import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { z } from 'zod';
import { readConfigFile, routingFrom, type RoutingConfig } from './config-file.js';
import { ConfigError } from './errors.js';
import { postgresUrlProblem } from './ledger/postgres/target.js';
import { DEFAULT_LOOP_GUARD, type LoopGuardSettings } from './sessions/loop-guard.js';
import { isTimeZone } from './time.js';

const DEFAULT_BASE_URL = 'https://api.cometapi.com/v1';
const DEFAULT_QUERY_URL = 'https://query.cometapi.com';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the program reads, with its default. */
const envSchema = z.object({
  COMETAPI_KEY: z
    .string()
    .trim()
    .min(1)
    .refine((v) => !/\s/.test(v), 'must be a single token with no spaces, e.g. sk-...')
    .optional(),
  COMETAPI_BASE_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_BASE_URL),
  COMETAPI_MCP_DB: z.string().min(1).optional(),
  // A team ledger on PostgreSQL; wins over COMETAPI_MCP_DB. The messages never echo the URL (it holds a password).
  COMETAPI_MCP_DATABASE_URL: z
    .string()
    .trim()
    .superRefine((url, ctx) => {
      const problem = postgresUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  COMETAPI_MCP_DATABASE_CA: z
    .string()
    .refine(
      (file) => fs.existsSync(file) && fs.statSync(file).isFile(),
      'no such file; give the path of the PEM certificate of the CA that signed your PostgreSQL server (for sslmode=verify-full)',
    )
    .optional(),
  COMETAPI_MCP_DATA_DIR: z.string().min(1).optional(),
  COMETAPI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  COMETAPI_IMAGE_MODEL: z.string().min(1).default('dall-e-3'),
  COMETAPI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  COMETAPI_SPEECH_MODEL: z.string().min(1).default('tts-1'),
  COMETAPI_TRANSCRIPTION_MODEL: z.string().min(1).default('whisper-1'),
  // No defaults here: these override the config file's "retry" section, which overrides the defaults.
  COMETAPI_TIMEOUT_MS: intFrom(100, 3_600_000).optional(),
  COMETAPI_MAX_RETRIES: intFrom(0, 10).optional(),
  COMETAPI_RETRY_BASE_DELAY_MS: intFrom(0, 60_000).optional(),
  COMETAPI_RETRY_MAX_DELAY_MS: intFrom(0, 600_000).optional(),
  COMETAPI_RETRY_MAX_TOTAL_MS: intFrom(0, 3_600_000).optional(),
  COMETAPI_MAX_RESPONSE_MB: intFrom(1, 4096).optional(),
  COMETAPI_MCP_CONFIG: z.string().min(1).optional(),
  COMETAPI_MCP_HOST: z.string().min(1).default('127.0.0.1'),
  COMETAPI_MCP_PORT: intFrom(0, 65_535).default(8790),
  COMETAPI_MCP_SIDECAR: z.enum(['auto', 'off']).default('auto'),
  COMETAPI_MCP_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  COMETAPI_MCP_TZ: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC').optional(),
  COMETAPI_MCP_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  COMETAPI_MCP_PRICES: z.string().min(1).optional(),
  COMETAPI_MCP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // The loop guard (docs/decisions/0021-sessions-and-loop-guard.md).
  COMETAPI_MCP_LOOP_GUARD: z.enum(['on', 'off']).default('on'),
  COMETAPI_MCP_LOOP_WARN_AT: intFrom(2, 10_000).default(DEFAULT_LOOP_GUARD.warnAt),
  COMETAPI_MCP_LOOP_REFUSE_AFTER: intFrom(2, 10_000).default(DEFAULT_LOOP_GUARD.refuseAfter),
  COMETAPI_MCP_LOOP_WINDOW_S: intFrom(1, 86_400).default(DEFAULT_LOOP_GUARD.windowMs / 1000),
  // CometAPI's query service (balance and per-day billing); see src/cometapi/query-client.ts.
  COMETAPI_QUERY_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_QUERY_URL),
  COMETAPI_QUERY_KEY: z
    .string()
    .trim()
    .refine((v) => !/\s/.test(v), 'must be a single token with no spaces, e.g. sk-...')
    .optional(),
  COMETAPI_KEY_NAME: z.string().trim().min(1).max(200).optional(),
  COMETAPI_BILLING_TZ: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Asia/Shanghai (the zone CometAPI counts days in)')
    .default('UTC'),
});

export interface Config {
  key: string | undefined;
  baseUrl: string;
  /** The SQLite ledger file, used unless databaseUrl is set. */
  dbPath: string;
  /** postgres:// URL of a shared team ledger (COMETAPI_MCP_DATABASE_URL). */
  databaseUrl: string | undefined;
  /** CA file verifying that server (COMETAPI_MCP_DATABASE_CA). */
  databaseCa: string | undefined;
  dataDir: string;
  models: { chat: string; image: string; embedding: string; speech: string; transcription: string };
  /** Per attempt, for providers that set no timeout_ms of their own. */
  timeoutMs: number;
  maxRetries: number;
  /** Backoff between retries; see docs/decisions (retry policy). */
  retry: { baseDelayMs: number; maxDelayMs: number; maxTotalMs: number };
  /** Larger upstream answers are refused rather than read into memory. */
  maxResponseBytes: number;
  /** Extra OpenAI-compatible providers, short model names and fallback chains (COMETAPI_MCP_CONFIG). */
  routing: RoutingConfig;
  host: string;
  port: number;
  sidecar: 'auto' | 'off';
  token: string | undefined;
  timeZone: string;
  webhookUrl: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  pricesFile: string | undefined;
  /** Identical tool calls (or proxy bodies) repeated in one session: warned, then refused. */
  loopGuard: LoopGuardSettings;
  /** CometAPI's query service: balance and what it billed per day. */
  query: QueryConfig;
}

export interface QueryConfig {
  url: string;
  /** COMETAPI_QUERY_KEY (a dedicated zero-quota key, as CometAPI advises), else COMETAPI_KEY. */
  key: string | undefined;
  /** COMETAPI_KEY_NAME: this key's name in the account, to pick its entries; undefined = whole account. */
  keyName: string | undefined;
  /** COMETAPI_BILLING_TZ: the zone CometAPI's billing days are counted in. */
  billingTimeZone: string;
  /**
   * Whether the sidecar keeps the balance fresh: with a key, against CometAPI itself (default
   * COMETAPI_BASE_URL) or a query service named by COMETAPI_QUERY_URL. Another upstream has no
   * CometAPI account to ask about.
   */
  scheduled: boolean;
}

/**
 * Unset and blank mean the same: MCP clients pass "" for an env field left empty, and HTML forms
 * send "model=" for a blank filter. Used for the environment and for query strings alike.
 */
export function withoutBlankValues(values: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(withoutBlankValues(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo the value: it may be a key.
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.COMETAPI_MCP_LOOP_WARN_AT > e.COMETAPI_MCP_LOOP_REFUSE_AFTER)
    throw new ConfigError(
      `Invalid configuration:\n  COMETAPI_MCP_LOOP_WARN_AT: must not be above COMETAPI_MCP_LOOP_REFUSE_AFTER (${e.COMETAPI_MCP_LOOP_REFUSE_AFTER}); the warning comes before the refusal`,
    );
  const file = readConfigFile(e.COMETAPI_MCP_CONFIG);
  const dataDir = e.COMETAPI_MCP_DATA_DIR ?? envPaths('cometapi-mcp', { suffix: '' }).data;
  return {
    key: e.COMETAPI_KEY,
    baseUrl: e.COMETAPI_BASE_URL.replace(/\/+$/, ''),
    dataDir,
    dbPath: e.COMETAPI_MCP_DB ?? path.join(dataDir, 'ledger.db'),
    databaseUrl: e.COMETAPI_MCP_DATABASE_URL,
    databaseCa: e.COMETAPI_MCP_DATABASE_CA,
    models: {
      chat: e.COMETAPI_CHAT_MODEL,
      image: e.COMETAPI_IMAGE_MODEL,
      embedding: e.COMETAPI_EMBEDDING_MODEL,
      speech: e.COMETAPI_SPEECH_MODEL,
      transcription: e.COMETAPI_TRANSCRIPTION_MODEL,
    },
    timeoutMs: e.COMETAPI_TIMEOUT_MS ?? file.retry.timeout_ms ?? 120_000,
    maxRetries: e.COMETAPI_MAX_RETRIES ?? file.retry.max_retries ?? 3,
    retry: {
      baseDelayMs: e.COMETAPI_RETRY_BASE_DELAY_MS ?? file.retry.base_delay_ms ?? 500,
      maxDelayMs: e.COMETAPI_RETRY_MAX_DELAY_MS ?? file.retry.max_delay_ms ?? 8_000,
      maxTotalMs: e.COMETAPI_RETRY_MAX_TOTAL_MS ?? file.retry.max_total_ms ?? 60_000,
    },
    maxResponseBytes: (e.COMETAPI_MAX_RESPONSE_MB ?? file.max_response_mb ?? 64) * 1024 * 1024,
    routing: routingFrom(file, withoutBlankValues(env)),
    host: e.COMETAPI_MCP_HOST,
    port: e.COMETAPI_MCP_PORT,
    sidecar: e.COMETAPI_MCP_SIDECAR,
    token: e.COMETAPI_MCP_TOKEN,
    timeZone: e.COMETAPI_MCP_TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    webhookUrl: e.COMETAPI_MCP_WEBHOOK_URL,
    logLevel: e.COMETAPI_MCP_LOG_LEVEL,
    pricesFile: e.COMETAPI_MCP_PRICES,
    loopGuard: {
      enabled: e.COMETAPI_MCP_LOOP_GUARD === 'on',
      warnAt: e.COMETAPI_MCP_LOOP_WARN_AT,
      refuseAfter: e.COMETAPI_MCP_LOOP_REFUSE_AFTER,
      windowMs: e.COMETAPI_MCP_LOOP_WINDOW_S * 1000,
      maxSessions: DEFAULT_LOOP_GUARD.maxSessions,
    },
    query: {
      url: e.COMETAPI_QUERY_URL.replace(/\/+$/, ''),
      key: e.COMETAPI_QUERY_KEY ?? e.COMETAPI_KEY,
      keyName: e.COMETAPI_KEY_NAME,
      billingTimeZone: e.COMETAPI_BILLING_TZ,
      scheduled:
        (e.COMETAPI_QUERY_KEY ?? e.COMETAPI_KEY) !== undefined &&
        (e.COMETAPI_BASE_URL.replace(/\/+$/, '') === DEFAULT_BASE_URL ||
          withoutBlankValues(env).COMETAPI_QUERY_URL !== undefined),
    },
  };
}

/** Every secret the configuration holds, for redaction. */
export function secretsOf(config: Config): string[] {
  const keys = [
    config.key,
    config.query.key,
    config.token,
    databasePassword(config.databaseUrl),
    ...config.routing.providers.map((p) => p.apiKey),
  ];
  return keys.filter((s): s is string => typeof s === 'string');
}

/** The password a ledger URL holds (in its userinfo or a ?password= parameter), for redaction. */
function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  return (parsed.password ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password')) || undefined;
}

export function isDefaultUpstream(config: Config): boolean {
  return config.baseUrl === DEFAULT_BASE_URL;
}
