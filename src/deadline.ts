/**
 * Runs `run` with a signal that aborts after `ms`, or sooner when `outer` aborts; `timedOut()` tells
 * which. The timer is ours and held until `run` settles: an `AbortSignal.timeout()` referenced only
 * from `AbortSignal.any()` can be garbage-collected on Node 20 before it fires, leaving the request hanging.
 */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  run: (signal: AbortSignal, timedOut: () => boolean) => Promise<T>,
): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await run(
      outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal,
      () => deadline.signal.aborted,
    );
  } finally {
    clearTimeout(timer);
  }
}
