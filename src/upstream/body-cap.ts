/** An upstream answer larger than we are willing to hold in memory. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limitBytes: number) {
    super(
      `the upstream's answer was larger than ${Math.round(limitBytes / 1024 / 1024)} MB, the most this server reads; ` +
        'it was refused (raise COMETAPI_MAX_RESPONSE_MB if such answers are expected)',
    );
  }
}

/** Finds a ResponseTooLargeError however the openai package wrapped it (it puts fetch failures in `cause`). */
export function findTooLarge(error: unknown): ResponseTooLargeError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ResponseTooLargeError) return e;
  }
  return null;
}

/**
 * Wraps fetch so no response body beyond `maxBytes` is read: a declared Content-Length over
 * the cap is refused before reading, and chunked bodies are counted as they stream and cut off
 * at the cap. A runaway upstream then costs one capped buffer, not the process.
 */
export function cappedFetch(inner: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    // fetch itself stops at a declared length, unless the body is compressed (a small gzip can inflate
    // without bound): only those bodies and chunked ones need counting.
    const bounded = response.headers.has('content-length') && !response.headers.has('content-encoding');
    if (!response.body || bounded) return response;
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
