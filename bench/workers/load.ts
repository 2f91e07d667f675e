/**
 * The load generator for bench/proxy.ts, in a process of its own so the measured servers never
 * share its event loop. POSTs one fixed body to one URL and prints "result " and a LoadResult as
 * JSON. Latencies are each response's own (float ms), not autocannon's whole-millisecond histogram.
 *  - closed loop (no `rate`): autocannon, `connections` keep-alive connections back to back, bounded
 *    by `durationS` and `maxRequests`;
 *  - open loop (`rate`): one request every 1/rate s on an undici Pool, latency counted from when it
 *    was due. autocannon's own rate option sends each connection's quota for a second in a burst at
 *    the start of that second, which measures bursts rather than a steady rate.
 *
 *   node --import tsx bench/workers/load.ts '<LoadSpec as JSON>'
 */
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { quantile } from '../table.js';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationS: number;
  maxRequests: number;
  /** Requests per second, open loop; absent: closed loop. */
  rate?: number;
}

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** 2xx responses per second. */
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

interface Tally {
  latencies: number[];
  non2xx: number;
  errors: number;
}

function closedLoop(spec: LoadSpec, tally: Tally): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = {
      url: spec.url,
      method: 'POST' as const,
      headers: spec.headers,
      body: spec.body,
      connections: spec.connections,
      duration: spec.durationS,
      maxOverallRequests: spec.maxRequests,
    };
    const run = autocannon(options, (error: unknown, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      tally.errors += result.errors;
      resolve();
    });
    run.on('response', (_client, status, _bytes, ms) =>
      status >= 200 && status < 300 ? tally.latencies.push(ms) : tally.non2xx++,
    );
  });
}

async function openLoop(spec: LoadSpec, rate: number, tally: Tally): Promise<void> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const total = Math.min(spec.maxRequests, Math.round(rate * spec.durationS));
  const started = performance.now();
  const dueAt = (i: number) => started + (i * 1000) / rate;
  const one = async (due: number): Promise<void> => {
    try {
      const res = await pool.request({ path: url.pathname, method: 'POST', headers: spec.headers, body: spec.body });
      await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) tally.latencies.push(performance.now() - due);
      else tally.non2xx++;
    } catch {
      tally.errors++;
    }
  };
  const pending: Promise<void>[] = [];
  for (let sent = 0; sent < total; await new Promise((resolve) => setTimeout(resolve, 1)))
    for (const now = performance.now(); sent < total && dueAt(sent) <= now; sent++) pending.push(one(dueAt(sent)));
  await Promise.all(pending);
  await pool.close();
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  if (!spec.url?.startsWith('http://127.0.0.1:')) throw new Error('load: spec.url must be http://127.0.0.1:<port>/...');
  const tally: Tally = { latencies: [], non2xx: 0, errors: 0 };
  const started = performance.now();
  if (spec.rate) await openLoop(spec, spec.rate, tally);
  else await closedLoop(spec, tally);
  const seconds = (performance.now() - started) / 1000;
  const sorted = tally.latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    ok: sorted.length,
    non2xx: tally.non2xx,
    errors: tally.errors,
    seconds,
    rps: sorted.length / seconds,
    p50_ms: quantile(sorted, 0.5),
    p99_ms: quantile(sorted, 0.99),
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
