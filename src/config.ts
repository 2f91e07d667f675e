import path from 'node:path';
import envPaths from 'env-paths';
import { z } from 'zod';
import { ConfigError } from './errors.js';

const DEFAULT_BASE_URL = 'https://api.cometapi.com/v1';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  COMETAPI_MCP_DATA_DIR: z.string().min(1).optional(),
  COMETAPI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  COMETAPI_IMAGE_MODEL: z.string().min(1).default('dall-e-3'),
  COMETAPI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  COMETAPI_TIMEOUT_MS: intFrom(100, 3_600_000).default(120_000),
  COMETAPI_MAX_RETRIES: intFrom(0, 10).default(3),
  COMETAPI_MCP_HOST: z.string().min(1).default('127.0.0.1'),
  COMETAPI_MCP_PORT: intFrom(0, 65_535).default(8790),
  COMETAPI_MCP_SIDECAR: z.enum(['auto', 'off']).default('auto'),
  COMETAPI_MCP_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  COMETAPI_MCP_TZ: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
    .optional(),
  COMETAPI_MCP_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  COMETAPI_MCP_PRICES: z.string().min(1).optional(),
  COMETAPI_MCP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface Config {
  key: string | undefined;
  baseUrl: string;
  dbPath: string;
  dataDir: string;
  models: { chat: string; image: string; embedding: string };
  timeoutMs: number;
  maxRetries: number;
  host: string;
  port: number;
  sidecar: 'auto' | 'off';
  token: string | undefined;
  timeZone: string;
  webhookUrl: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  pricesFile: string | undefined;
}

/** Unset and empty mean the same: MCP clients often pass "" for a field left blank. */
function dropEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(dropEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo the value: it may be a key.
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = e.COMETAPI_MCP_DATA_DIR ?? envPaths('cometapi-mcp', { suffix: '' }).data;
  return {
    key: e.COMETAPI_KEY,
    baseUrl: e.COMETAPI_BASE_URL.replace(/\/+$/, ''),
    dataDir,
    dbPath: e.COMETAPI_MCP_DB ?? path.join(dataDir, 'ledger.db'),
    models: { chat: e.COMETAPI_CHAT_MODEL, image: e.COMETAPI_IMAGE_MODEL, embedding: e.COMETAPI_EMBEDDING_MODEL },
    timeoutMs: e.COMETAPI_TIMEOUT_MS,
    maxRetries: e.COMETAPI_MAX_RETRIES,
    host: e.COMETAPI_MCP_HOST,
    port: e.COMETAPI_MCP_PORT,
    sidecar: e.COMETAPI_MCP_SIDECAR,
    token: e.COMETAPI_MCP_TOKEN,
    timeZone: e.COMETAPI_MCP_TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    webhookUrl: e.COMETAPI_MCP_WEBHOOK_URL,
    logLevel: e.COMETAPI_MCP_LOG_LEVEL,
    pricesFile: e.COMETAPI_MCP_PRICES,
  };
}

export function isDefaultUpstream(config: Config): boolean {
  return config.baseUrl === DEFAULT_BASE_URL;
}
