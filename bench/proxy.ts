/**
 * What the /v1 metering proxy costs, against the same simulated upstream (latency 0, no pacing)
 * in one run, side by side with calling the upstream directly, with a lean baseline
 * (bench/lean-proxy.ts: node:http + undici + one better-sqlite3 row per call) and with Portkey's
 * gateway (a Hono-based peer, no logging) pointed at the same upstream as an OpenAI provider with
 * a custom host. Every server and every load run is its own process (bench/proxy-servers.ts);
 * the load is autocannon (bench/workers/load.ts), so no figure depends on this process's loop:
 *  - req/s of non-streamed chats at 50 connections and at 1 connection, latency at 1 connection;
 *  - a fixed 1,000 req/s for 20 s, direct and through the proxy: errors and p99;
 *  - 1,000 concurrent streamed chats through the proxy: time to first byte against direct.
 * Every chat the proxy answered 2xx must be an ok ledger row (read back from its file).
 *
 *   npx tsx bench/proxy.ts   (after `npm run build`: the proxy runs as `node dist/cli.js serve`)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { peakRssMb, runLoad, startLean, startPortkey, startProxy, startSim, type Server } from './proxy-servers.js';
import { markdownTable, quantile } from './table.js';
import type { LoadResult } from './workers/load.js';

export interface ProxyBenchRow {
  [column: string]: string | number | null;
  target: string;
  test: string;
  requests: number;
  failed: number;
  req_per_s: number;
  rps_vs_lean: string | null;
  rps_vs_portkey: string | null;
  p50_ms: number;
  p99_ms: number;
  added_p50_ms: number | null;
  p99_vs_direct: string | null;
  peak_rss_mb: number | null;
}

export interface ProxyBenchOptions {
  /** Seconds per closed-loop run (each target, each connection count). */
  seconds?: number;
  connections?: number;
  fixedRate?: number;
  fixedSeconds?: number;
  streams?: number;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  pid: number | null;
  /** The ledger rows its 2xx answers must match, for the proxy only. */
  recorded?: (client: string) => number;
}

const BENCH_KEY = 'sk-bench-0000000000000000000000000000';
const CHAT_PATH = '/v1/chat/completions';
const chat = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    max_tokens: 16,
    ...(stream ? { stream: true } : {}),
    messages: [{ role: 'user', content: stream ? 'Stream a short answer' : 'How much does a proxy add?' }],
  });
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : null);

/** ok ledger rows of one client (x-client-name), streamed ones only with the usage they streamed. */
function okRows(dbFile: string, client: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    const sql =
      "SELECT COUNT(*) FROM calls WHERE client = ? AND status = 'ok' AND (stream = 0 OR completion_tokens > 0)";
    return db.prepare<[string], number>(sql).pluck().get(client) ?? 0;
  } finally {
    db.close();
  }
}

/** `n` streamed chats at once on their own connections, in this process; ms to each first body byte. */
async function concurrentStreams(origin: string, headers: Record<string, string>, n: number) {
  const pool = new Pool(origin, { connections: n, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const started = performance.now();
  const one = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await pool.request({ path: CHAT_PATH, method: 'POST', headers, body: chat(true) });
    let first = 0;
    for await (const chunk of res.body) if (first === 0 && (chunk as Buffer).length > 0) first = performance.now() - t0;
    if (res.statusCode !== 200 || first === 0) throw new Error(`HTTP ${res.statusCode}`);
    return first;
  };
  const results = await Promise.allSettled(Array.from({ length: n }, one));
  const ms = performance.now() - started;
  await pool.close();
  const ttft = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((a, b) => a - b);
  return { ttft, failed: n - ttft.length, rps: n / (ms / 1000) };
}

export async function benchProxy(options: ProxyBenchOptions = {}): Promise<ProxyBenchRow[]> {
  const seconds = options.seconds ?? 5;
  const connections = options.connections ?? 50;
  const fixedRate = options.fixedRate ?? 1000;
  const fixedSeconds = options.fixedSeconds ?? 20;
  const streams = options.streams ?? 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-'));
  const dbFile = path.join(dir, 'ledger.db');
  const servers: Server[] = [];
  const started = async (pending: Promise<Server>): Promise<Server> => {
    const server = await pending;
    servers.push(server);
    return server;
  };
  try {
    const sim = await started(startSim(BENCH_KEY));
    const lean = await started(startLean(sim.url, BENCH_KEY, path.join(dir, 'lean.db')));
    const proxy = await started(startProxy(sim.url, BENCH_KEY, dbFile));
    const portkey = await started(startPortkey());
    const json = { 'content-type': 'application/json' };
    const auth = { ...json, authorization: `Bearer ${BENCH_KEY}` };
    const targets: Target[] = [
      { name: 'upstream, direct', url: new URL(sim.url).origin, headers: auth, pid: null },
      { name: 'lean proxy (node:http + undici + 1 row/call)', url: lean.url, headers: json, pid: lean.pid },
      {
        name: 'cometapi-mcp /v1 proxy',
        url: proxy.url,
        headers: json,
        pid: proxy.pid,
        recorded: (client) => okRows(dbFile, client),
      },
      {
        name: 'Portkey gateway 1.15',
        url: portkey.url,
        headers: { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': sim.url },
        pid: portkey.pid,
      },
    ];
    const load = (t: Target, client: string, spec: { connections: number; durationS: number; rate?: number }) =>
      runLoad({
        url: t.url + CHAT_PATH,
        headers: { ...t.headers, 'x-client-name': client },
        body: chat(false),
        maxRequests: 200_000,
        ...spec,
      });
    const rows: ProxyBenchRow[] = [];
    /** One table row per target from one test; failed counts 2xx answers missing from the ledger too. */
    const report = (test: string, client: string, results: (LoadResult | null)[]) => {
      const [direct, leanResult, , portkeyResult] = results;
      results.forEach((r, i) => {
        const t = targets[i];
        if (!r || !t) return;
        const unrecorded = t.recorded ? r.ok - t.recorded(client) : 0;
        rows.push({
          target: t.name,
          test,
          requests: r.ok,
          failed: r.non2xx + r.errors + Math.max(0, unrecorded),
          req_per_s: r.rps,
          rps_vs_lean: ratio(r.rps, leanResult?.rps),
          rps_vs_portkey: ratio(r.rps, portkeyResult?.rps),
          p50_ms: r.p50_ms,
          p99_ms: r.p99_ms,
          added_p50_ms: i === 0 || !direct ? null : r.p50_ms - direct.p50_ms,
          p99_vs_direct: i === 0 || !direct ? null : ratio(r.p99_ms, direct.p99_ms),
          peak_rss_mb: t.pid ? peakRssMb(t.pid) : null,
        });
      });
    };

    // Warm-up (JIT, sockets, page cache) under another client name, so the ledger check sees measured calls only.
    for (const t of targets) await load(t, 'bench-warmup', { connections, durationS: 1 });
    for (const conns of [connections, 1]) {
      const client = `bench-c${conns}`;
      const results: LoadResult[] = [];
      for (const t of targets) results.push(await load(t, client, { connections: conns, durationS: seconds }));
      report(`non-streamed chat, ${conns} conn${conns > 1 ? 's' : ''}, ${seconds} s`, client, results);
    }
    const fixed = [targets[0], null, targets[2], null].map((t) =>
      t ? () => load(t, 'bench-fixed', { connections: 64, durationS: fixedSeconds, rate: fixedRate }) : null,
    );
    const fixedResults: (LoadResult | null)[] = [];
    for (const run of fixed) fixedResults.push(run ? await run() : null);
    report(`fixed ${fixedRate} req/s for ${fixedSeconds} s (latency from when due)`, 'bench-fixed', fixedResults);

    const direct = await concurrentStreams(new URL(sim.url).origin, auth, streams);
    const through = await concurrentStreams(proxy.url, { ...json, 'x-client-name': 'bench-streams' }, streams);
    const test = `${streams} concurrent streamed chats (time to first byte, in-process client)`;
    const streamRow = (target: string, s: typeof direct, failed: number, pid: number | null): ProxyBenchRow => ({
      target,
      test,
      requests: streams,
      failed,
      req_per_s: s.rps,
      rps_vs_lean: null,
      rps_vs_portkey: null,
      p50_ms: quantile(s.ttft, 0.5),
      p99_ms: quantile(s.ttft, 0.99),
      added_p50_ms: pid ? quantile(s.ttft, 0.5) - quantile(direct.ttft, 0.5) : null,
      p99_vs_direct: pid ? ratio(quantile(s.ttft, 0.99), quantile(direct.ttft, 0.99)) : null,
      peak_rss_mb: pid ? peakRssMb(pid) : null,
    });
    rows.push(
      streamRow('upstream, direct', direct, direct.failed, null),
      // a stream counts as failed unless its ledger row says ok with the usage it streamed
      streamRow(
        'cometapi-mcp /v1 proxy',
        through,
        Math.max(through.failed, streams - okRows(dbFile, 'bench-streams')),
        proxy.pid,
      ),
    );
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchProxy({
    seconds: Number(process.argv[2] ?? 5),
    fixedSeconds: Number(process.argv[3] ?? 20),
  });
  process.stdout.write(markdownTable(rows));
}
