/** Typed errors. Every message is meant for a person and never contains a key. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The ledger could not be opened (unreachable server, refused login); the message says where and what to check. */
export class LedgerOpenError extends Error {
  override readonly name: string = 'LedgerOpenError';
}

/**
 * The caller sent something we cannot use; the message says what to send instead. `code` is a
 * stable name for the kind of mistake (the API sends it so the dashboard can translate).
 */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
  constructor(
    message: string,
    readonly code: string = 'bad_input',
  ) {
    super(message);
  }
}

export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
  /** Without an argument: CometAPI's own key; with one: a provider from the config file. */
  constructor(missing?: { provider: string; envVar: string }) {
    super(
      missing
        ? `provider '${missing.provider}' needs its API key in ${missing.envVar}, which is not set. Add ${missing.envVar} to ` +
            'this MCP server\'s "env" in your client config (the config file only names the variable), then restart the server.'
        : 'COMETAPI_KEY is not set. Add it to this MCP server\'s "env" in your client config ' +
            '(CherryStudio: Settings → MCP Servers → this server → Environment Variables: COMETAPI_KEY=sk-...), ' +
            'then restart the server. Get a key at https://api.cometapi.com/console/token.',
    );
  }
}

export interface UpstreamErrorInit {
  status: number | null;
  type: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number | null;
  requestId?: string | null;
}

/** A failure reported by (or on the way to) the upstream API. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly status: number | null;
  readonly type: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly requestId: string | null;
  constructor(init: UpstreamErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.requestId = init.requestId ?? null;
  }
}

export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(
    message: string,
    readonly quotaName: string,
  ) {
    super(message);
  }
}

/** The loop guard refused a call repeated too often in one session (docs/decisions/0021-sessions-and-loop-guard.md). */
export class LoopGuardError extends Error {
  override readonly name = 'LoopGuardError';
}

const KEY_PATTERN = /\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]*/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',]+/gi;

/** Removes anything that looks like an API key or bearer token, plus any known secrets. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_PATTERN, '$1…[redacted]').replace(BEARER_PATTERN, '$1[redacted]');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
