import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from './errors.js';

/** The built-in provider; every model that names no configured provider goes here. */
export const DEFAULT_PROVIDER = 'cometapi';

const INLINE_KEY =
  'keys are never read from the config file (it gets shared and committed); put the key in an ' +
  'environment variable and name that variable here, e.g. "api_key_env": "OPENROUTER_API_KEY"';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be the NAME of an environment variable holding the key, e.g. OPENROUTER_API_KEY',
  );
const modelName = z.string().trim().min(1, 'must not be empty').max(200);

const providerSchema = z.strictObject({
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://openrouter.ai/api/v1' }),
  /** Omit for local servers (Ollama, vLLM) that take no key. */
  api_key_env: envName.optional(),
  timeout_ms: int(100, 3_600_000).optional(),
  // Named only to turn a pasted key into a clear error instead of "unrecognized key".
  api_key: z.never({ error: INLINE_KEY }).optional(),
  apiKey: z.never({ error: INLINE_KEY }).optional(),
  key: z.never({ error: INLINE_KEY }).optional(),
});

const providerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'provider names are lower-case letters, digits, ".", "_" or "-" (no "/")')
  .refine(
    (name) => name !== DEFAULT_PROVIDER,
    `"${DEFAULT_PROVIDER}" is built in: set COMETAPI_BASE_URL and COMETAPI_KEY instead`,
  );

const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  providers: z.record(providerName, providerSchema).default({}),
  /** Short names: "llama3": "ollama/llama3:8b". */
  routes: z.record(modelName, modelName).default({}),
  /** Tried in order when a model keeps failing or is unavailable. */
  fallbacks: z.record(modelName, z.array(modelName).min(1).max(5)).default({}),
  retry: z
    .strictObject({
      max_retries: int(0, 10).optional(),
      base_delay_ms: int(0, 60_000).optional(),
      max_delay_ms: int(0, 600_000).optional(),
      max_total_ms: int(0, 3_600_000).optional(),
      timeout_ms: int(100, 3_600_000).optional(),
    })
    .default({}),
  max_response_mb: int(1, 4096).optional(),
});

export type ConfigFile = z.infer<typeof fileSchema>;

export interface ProviderConfig {
  name: string;
  baseUrl: string;
  /** The variable the key is read from; null for providers that take none. */
  apiKeyEnv: string | null;
  /** undefined when apiKeyEnv is named but not set: calls to it then say which variable to set. */
  apiKey: string | undefined;
  timeoutMs: number | null;
}

export interface RoutingConfig {
  providers: ProviderConfig[];
  routes: Record<string, string>;
  fallbacks: Record<string, string[]>;
}

const EMPTY: ConfigFile = { providers: {}, routes: {}, fallbacks: {}, retry: {} };

/** Reads and validates the JSON file named by COMETAPI_MCP_CONFIG; errors name the field, never a value. */
export function readConfigFile(file: string | undefined): ConfigFile {
  if (file === undefined) return EMPTY;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`COMETAPI_MCP_CONFIG: could not read ${file} as JSON: ${errorMessage(error)}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(describeIssue);
    throw new ConfigError(`Invalid config file ${file} (COMETAPI_MCP_CONFIG):\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** "field.path: what is wrong"; a bad record key says why it is bad, not just "Invalid key in record". */
function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  return `${issue.path.join('.') || '(top level)'}: ${message}`;
}

/** Resolves each provider's key from the environment by the variable's name. */
export function routingFrom(file: ConfigFile, env: Readonly<Record<string, string>>): RoutingConfig {
  const providers = Object.entries(file.providers).map(([name, p]) => ({
    name,
    baseUrl: p.base_url.replace(/\/+$/, ''),
    apiKeyEnv: p.api_key_env ?? null,
    apiKey: p.api_key_env === undefined ? undefined : env[p.api_key_env]?.trim() || undefined,
    timeoutMs: p.timeout_ms ?? null,
  }));
  return { providers, routes: { ...file.routes }, fallbacks: { ...file.fallbacks } };
}
