import { LoopGuardError, QuotaExceededError, UpstreamError, redact } from './errors.js';
import { usdFromNano } from './ledger/calls.js';
import type { CallRecord, CallSource, LedgerStore } from './ledger/store.js';
import type { Logger } from './log.js';
import type { Attempt, UpstreamClient } from './upstream/client.js';
import { finalAfterForwarding } from './upstream/errors.js';
import type { PriceBook } from './upstream/price-book.js';
import { firstPricedCost, type PriceTable } from './upstream/prices.js';
import type { ProviderRouter, Route } from './upstream/providers.js';
import { withRetries, type RetryDeps, type RetryPolicy } from './upstream/retry.js';
import type { Usage } from './upstream/usage.js';
import { describeUpstreamError } from './describe-error.js';
import type { LoopVerdict } from './sessions/loop-guard.js';

/** Who is calling, recorded on every row. */
export interface CallContext {
  source: CallSource;
  client: string | null;
  tool: string;
  /** The MCP session or the proxy caller's (checked) session id; none when absent. */
  session?: string | null;
  /** What the loop guard said of this call, observed once per tool call or request. */
  loop?: LoopVerdict;
}

/** What a call is expected to use, known before it runs (for quota checks). */
export interface CallEstimate {
  prompt_tokens: number;
  max_completion_tokens: number;
  images: number;
  /** Speech input characters, for calls billed by character. */
  characters?: number;
}

export interface PendingCall {
  ctx: CallContext;
  provider: string;
  model: string;
  estimate: CallEstimate;
  estimatedCostNanoUsd: number | null;
}

/** What a check held for the call (exact shared quotas); released once its row is written. */
export interface GuardHold {
  release(): Promise<void>;
}

/** Quotas plug in here: check before the upstream is touched, observe after the row is written. */
export interface CallGuard {
  /** Rejects with QuotaExceededError to refuse the call. */
  check(pending: PendingCall): Promise<GuardHold | undefined>;
  recorded(record: CallRecord, id: number): Promise<void>;
}

export interface Operation<T> {
  model: string;
  /** Tried in order after `model` fails; given (even empty), it replaces the config file's chain. */
  fallbackModels?: readonly string[];
  stream: boolean;
  estimate: CallEstimate;
  /** `client` is the routed provider's and `model` the id that provider knows. */
  attempt(client: UpstreamClient, model: string): Promise<Attempt<T>>;
  /**
   * For callers that pass tokens on as they arrive (the proxy): true once anything has been sent.
   * A failure after that is final, with no retry or fallback, since the caller already holds
   * part of an answer. Callers that buffer (the MCP chat tool) leave it out and may restart.
   */
  forwarded?: () => boolean;
  /**
   * What a call that failed midway had already used (a stream the client abandoned): recorded on
   * its error row, usually estimated, since the upstream bills what it generated before the cut.
   */
  partialUsage?: () => Promise<Usage | null>;
}

export interface MeteredResult<T> {
  value: T;
  callId: number;
  record: CallRecord;
  costUsd: number | null;
}

/** A call that did not succeed; it has been recorded, and its message is fit to show a person. */
export class MeteredCallError extends Error {
  override readonly name = 'MeteredCallError';
  constructor(
    message: string,
    readonly callId: number,
    readonly record: CallRecord,
    override readonly cause: UpstreamError | QuotaExceededError | LoopGuardError,
  ) {
    super(message);
  }
}

export interface MeteringDeps {
  store: LedgerStore;
  /** Read once per call: the configured table with the ledger's stored prices over it. */
  prices: PriceBook;
  /** Model → provider client; a provider without its key makes each call explain how to set it. */
  router: ProviderRouter;
  retryPolicy: RetryPolicy;
  logger: Logger;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  guard?: CallGuard;
  /** Told after every row is written (live views, MCP log notifications). */
  onRecorded?: (record: CallRecord, id: number) => void;
  secrets?: readonly string[];
}

export interface Metering {
  run<T>(ctx: CallContext, op: Operation<T>): Promise<MeteredResult<T>>;
  readonly hasUpstream: boolean;
}

const MAX_ERROR_MESSAGE = 500;

export function createMetering(deps: MeteringDeps): Metering {
  const clock = deps.clock ?? Date.now;
  const retryDeps: RetryDeps = {
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: deps.random ?? Math.random,
    now: clock,
  };

  /** Resolves once the row is committed, so a result is never sent for a call the ledger lacks. */
  async function write(record: CallRecord): Promise<number> {
    const id = await deps.store.calls.record(record);
    try {
      await deps.guard?.recorded(record, id);
      deps.onRecorded?.(record, id);
    } catch (error) {
      // A broken observer must never turn a recorded call into a failed one.
      deps.logger.warn('post-record hook failed', { error: String(error) });
    }
    return id;
  }

  function baseRecord(ctx: CallContext, provider: string, op: Operation<unknown>, started: number): CallRecord {
    return {
      ts: started,
      duration_ms: null,
      ttft_ms: null,
      source: ctx.source,
      client: ctx.client,
      tool: ctx.tool,
      session: ctx.session ?? null,
      provider,
      model_requested: op.model,
      model_used: null,
      stream: op.stream,
      prompt_tokens: 0,
      completion_tokens: 0,
      cached_tokens: 0,
      reasoning_tokens: 0,
      images: 0,
      usage_estimated: false,
      cost_nano_usd: null,
      status: 'ok',
      http_status: null,
      error_type: null,
      error_message: null,
      retries: 0,
      fallback_from: null,
      request_id: null,
    };
  }

  async function run<T>(ctx: CallContext, op: Operation<T>): Promise<MeteredResult<T>> {
    // The requested model first, then each fallback. All are routed before anything is sent, so a
    // missing key is reported at once rather than after the first model has failed.
    const names = [...new Set([op.model, ...(op.fallbackModels ?? deps.router.fallbacks(op.model))])];
    const primary = deps.router.resolve(op.model);
    const chain = [primary, ...names.slice(1).map((name) => deps.router.resolve(name))];
    const started = clock();
    const base = baseRecord(ctx, primary.provider, op, started);
    if (ctx.loop?.kind === 'refuse') {
      const record: CallRecord = {
        ...base,
        duration_ms: clock() - started,
        status: 'blocked',
        error_type: 'loop_guard',
        error_message: ctx.loop.message.slice(0, MAX_ERROR_MESSAGE),
      };
      throw new MeteredCallError(ctx.loop.message, await write(record), record, new LoopGuardError(ctx.loop.message));
    }

    const prices = await deps.prices.current();
    // Priced by the id the provider knows: a routing alias ("llama3") has no price of its own.
    const estimatedCost = prices.costNanoUsd(primary.model, {
      prompt_tokens: op.estimate.prompt_tokens,
      completion_tokens: op.estimate.max_completion_tokens,
      cached_tokens: 0,
      images: op.estimate.images,
      characters: op.estimate.characters,
    });
    let hold: GuardHold | undefined;
    try {
      hold = await deps.guard?.check({
        ctx,
        provider: primary.provider,
        model: op.model,
        estimate: op.estimate,
        estimatedCostNanoUsd: estimatedCost,
      });
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      const record: CallRecord = {
        ...base,
        duration_ms: clock() - started,
        status: 'blocked',
        error_type: 'quota_exceeded',
        error_message: error.message.slice(0, MAX_ERROR_MESSAGE),
      };
      throw new MeteredCallError(error.message, await write(record), record, error);
    }

    try {
      // Retries run out on one model before the next is tried.
      const attempt = async (route: Route): Promise<Attempt<T>> => {
        try {
          return await op.attempt(route.client, route.model);
        } catch (caught) {
          const error = asUpstreamError(caught);
          throw op.forwarded?.() ? finalAfterForwarding(error) : error;
        }
      };
      let retries = 0;
      let last: { error: UpstreamError; route: Route; index: number } | null = null;
      for (const [index, route] of chain.entries()) {
        const outcome = await withRetries(() => attempt(route), asUpstreamError, deps.retryPolicy, retryDeps);
        retries += outcome.retries;
        if (outcome.ok) {
          const a = outcome.value;
          const record = successRecord(
            prices,
            { ...base, provider: route.provider },
            a,
            clock() - started,
            retries,
            index > 0 ? op.model : null,
          );
          const id = await write(record);
          return {
            value: a.value,
            callId: id,
            record,
            costUsd: record.cost_nano_usd === null ? null : usdFromNano(record.cost_nano_usd),
          };
        }
        last = { error: outcome.error, route, index };
        if (!isFallbackWorthy(outcome.error)) break;
        deps.logger.info('model failed, trying the next in its fallback chain', {
          model: route.model,
          provider: route.provider,
          type: outcome.error.type,
        });
      }
      const { error, route, index } = last ?? {
        error: new UpstreamError({ status: null, type: 'unknown', message: 'no attempt was made', retryable: false }),
        route: primary,
        index: 0,
      };
      const tried = index > 0 ? ` (fallback chain tried: ${names.slice(0, index + 1).join(' → ')})` : '';
      const message = describeUpstreamError(error, route.model, route.provider, retries, route.keyEnv) + tried;
      const used = (await op.partialUsage?.().catch(() => null)) ?? null;
      const record: CallRecord = {
        ...base,
        provider: route.provider,
        duration_ms: clock() - started,
        status: 'error',
        http_status: error.status,
        error_type: error.type,
        error_message: redact(error.message, deps.secrets).slice(0, MAX_ERROR_MESSAGE),
        retries,
        request_id: error.requestId,
        fallback_from: index > 0 ? op.model : null,
        ...(used && {
          prompt_tokens: used.prompt_tokens,
          completion_tokens: used.completion_tokens,
          cached_tokens: used.cached_tokens,
          cache_write_tokens: used.cache_write_tokens,
          reasoning_tokens: used.reasoning_tokens,
          images: used.images,
          usage_estimated: used.estimated,
          cost_nano_usd: firstPricedCost(prices, used, [route.model, op.model]),
        }),
      };
      throw new MeteredCallError(message, await write(record), record, error);
    } finally {
      // The row is written by now (or the call never got that far): the ledger counts it, not the hold.
      await hold
        ?.release()
        .catch((error: unknown) => deps.logger.warn('could not release a quota hold', { error: String(error) }));
    }
  }

  function successRecord(
    prices: PriceTable,
    base: CallRecord,
    a: Attempt<unknown>,
    duration: number,
    retries: number,
    fallbackFrom: string | null,
  ): CallRecord {
    const usage = a.usage;
    return {
      ...base,
      duration_ms: duration,
      ttft_ms: a.ttftMs,
      model_used: a.modelUsed,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_tokens: usage.cached_tokens,
      cache_write_tokens: usage.cache_write_tokens,
      reasoning_tokens: usage.reasoning_tokens,
      images: usage.images,
      input_chars: usage.characters,
      audio_seconds: usage.audio_seconds || null,
      usage_estimated: usage.estimated,
      cost_nano_usd: firstPricedCost(prices, usage, [a.modelUsed, base.model_requested]),
      http_status: a.httpStatus,
      retries,
      fallback_from: fallbackFrom,
      request_id: a.requestId,
    };
  }

  return { run, hasUpstream: deps.router.defaultClient !== null };
}

function asUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  return new UpstreamError({ status: null, type: 'internal', message: String(error), retryable: false });
}

/** A fallback model can help when this one is missing, overloaded or broken, not when the request is. */
function isFallbackWorthy(error: UpstreamError): boolean {
  return error.retryable || error.type === 'model_not_found';
}
