import type { UpstreamError } from '../errors.js';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has gone since the first attempt. */
  maxTotalMs: number;
}

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

export type RetryOutcome<T> =
  { ok: true; value: T; retries: number } | { ok: false; error: UpstreamError; retries: number };

/** Full jitter (AWS architecture blog), but never sooner than the server's Retry-After. */
export function retryDelayMs(
  policy: RetryPolicy,
  retryIndex: number,
  error: UpstreamError,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, error.retryAfterMs ?? 0);
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or the policy runs out.
 * Failures must be UpstreamErrors (the client converts everything it throws).
 */
export async function withRetries<T>(
  attempt: (retryIndex: number) => Promise<T>,
  toUpstreamError: (error: unknown) => UpstreamError,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<RetryOutcome<T>> {
  const started = deps.now();
  for (let retries = 0; ; retries++) {
    try {
      return { ok: true, value: await attempt(retries), retries };
    } catch (caught) {
      const error = toUpstreamError(caught);
      if (!error.retryable || retries >= policy.maxRetries) return { ok: false, error, retries };
      const delay = retryDelayMs(policy, retries, error, deps.random);
      if (deps.now() - started + delay > policy.maxTotalMs) return { ok: false, error, retries };
      await deps.sleep(delay);
    }
  }
}
