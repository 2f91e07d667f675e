/**
 * What the /v1 metering proxy costs, against the same simulated upstream (latency 0, no pacing)
 * in one run, side by side with calling the upstream directly and with Portkey's gateway (a
 * Hono-based peer, from npm) pointed at the same upstream as an OpenAI provider with a custom host:
 *  - added latency: non-streamed chats one at a time, the three targets interleaved call by call;
 *  - throughput: N concurrent keep-alive connections, bounded by request count and time;
 *  - 1,000 concurrent streamed chats through the proxy: time to first byte against direct, every
 *    call recorded in the ledger, and the proxy process's peak RSS (VmHWM).
 * Each server runs in its own process: the upstream (bench/sim-server.ts), the proxy as shipped
 * (`node dist/cli.js serve`, so run `npm run build` first) and Portkey's own start-server.
 *
 *   npx tsx bench/proxy.ts [latency-calls = 2000] [connections = 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { openLedger } from '../src/ledger/open.js';
import { markdownTable, quantile } from './table.js';

export interface ProxyBenchRow {
  [column: string]: string | number | null;
  target: string;
  test: string;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  req_per_s: number;
  failed: number;
  peak_rss_mb: number | null;
}

export interface ProxyBenchOptions {
  latencyCalls?: number;
  connections?: number;
  /** Throughput: each target gets at most this many requests and this long. */
  throughputRequests?: number;
  throughputMs?: number;
  streams?: number;
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  pool: Pool;
  path: string;
  headers: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const BENCH_KEY = 'sk-bench-0000000000000000000000000000';
const CHAT = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'How much does a proxy add?' }],
});
const STREAM = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 16,
  stream: true,
  messages: [{ role: 'user', content: 'Stream a short answer' }],
});

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

/** Starts the simulated upstream in a child and waits for the base URL it prints. */
async function startSim(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'sim-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_UPSTREAM_KEY: BENCH_KEY },
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('child has no stdout');
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the simulated upstream exited (${code}) before printing its URL`)));
  });
  return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
}

/** Waits until GET url answers 2xx, or the child dies, or 20 s pass. */
async function whenUp(child: ChildProcess, url: string, name: string): Promise<Server> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
  }
  await stopChild(child);
  throw new Error(`${name} did not start within 20 s`);
}

/** The proxy as users run it: `cometapi-mcp serve` from the build, on 127.0.0.1 with its own ledger. */
async function startProxy(upstream: string, dbFile: string): Promise<Server> {
  const cli = path.join(here, '../dist/cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.dirname(dbFile),
    COMETAPI_KEY: BENCH_KEY,
    COMETAPI_BASE_URL: upstream,
    COMETAPI_MCP_DB: dbFile,
    COMETAPI_MCP_HOST: '127.0.0.1',
    COMETAPI_MCP_PORT: String(port),
    COMETAPI_MCP_TZ: 'UTC',
    COMETAPI_MCP_LOG_LEVEL: 'error',
  };
  const child = spawn(process.execPath, [cli, 'serve'], { stdio: ['pipe', 'ignore', 'ignore'], env });
  return whenUp(child, `http://127.0.0.1:${port}/api/info`, 'cometapi-mcp serve');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Portkey's published Node server; it takes only a port, so it is reached (and polled) on 127.0.0.1. */
async function startPortkey(): Promise<Server> {
  const entry = path.join(here, '../node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!fs.existsSync(entry)) throw new Error('@portkey-ai/gateway is not installed');
  const port = await freePort();
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
  });
  return whenUp(child, `http://127.0.0.1:${port}`, 'Portkey');
}

/** Peak resident set size of a process, from Linux's /proc (VmHWM). */
function peakRssMb(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** One request; returns [ms to first body byte, ms to the end] or throws on a non-200. */
async function timed(target: Target, body: string): Promise<[number, number]> {
  const started = performance.now();
  const res = await target.pool.request({ path: target.path, method: 'POST', headers: target.headers, body });
  let first = 0;
  let size = 0;
  for await (const chunk of res.body) {
    if (size === 0) first = performance.now() - started;
    size += (chunk as Buffer).length;
  }
  if (res.statusCode !== 200 || size === 0) throw new Error(`${target.name}: HTTP ${res.statusCode}`);
  return [first, performance.now() - started];
}

/** Sequential calls on one connection each, the targets interleaved so drift hits all alike. */
async function latencies(targets: Target[], calls: number, budgetMs: number): Promise<number[][]> {
  const samples = targets.map(() => [] as number[]);
  for (let i = 0; i < 200; i++) for (const t of targets) await timed(t, CHAT); // warm-up: JIT, sockets
  const deadline = performance.now() + budgetMs;
  for (let i = 0; i < calls && performance.now() < deadline; i++) {
    for (let k = 0; k < targets.length; k++) {
      const index = (i + k) % targets.length;
      const target = targets[index];
      if (target) samples[index]?.push((await timed(target, CHAT))[1]);
    }
  }
  return samples;
}

/** `connections` loops sending back to back until `maxRequests` have been sent or `maxMs` has passed. */
async function throughput(
  target: Target,
  connections: number,
  maxRequests: number,
  maxMs: number,
): Promise<{ rps: number; failed: number; requests: number }> {
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (sent < maxRequests && performance.now() < deadline) {
        sent++;
        await timed(target, CHAT).catch(() => failed++);
      }
    }),
  );
  return { rps: sent / ((performance.now() - started) / 1000), failed, requests: sent };
}

async function concurrentStreams(target: Target, n: number): Promise<{ ttft: number[]; failed: number; ms: number }> {
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, () => timed(target, STREAM)));
  const ttft = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value[0]] : []));
  const reasons = new Set(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])));
  for (const reason of reasons) process.stderr.write(`${target.name}: a stream failed: ${reason}\n`);
  return { ttft, failed: n - ttft.length, ms: performance.now() - started };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export async function benchProxy(options: ProxyBenchOptions = {}): Promise<ProxyBenchRow[]> {
  const calls = options.latencyCalls ?? 2000;
  const connections = options.connections ?? 50;
  const streams = options.streams ?? 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-'));
  const dbFile = path.join(dir, 'ledger.db');
  const servers: Server[] = [];
  const pools: Pool[] = [];
  try {
    const sim = await startSim();
    servers.push(sim);
    const proxy = await startProxy(sim.url, dbFile);
    servers.push(proxy);
    const portkey = await startPortkey();
    servers.push(portkey);
    const target = (name: string, origin: string, headers: Record<string, string>, conns: number): Target => {
      const pool = new Pool(new URL(origin).origin, { connections: conns, keepAliveTimeout: 30_000 });
      pools.push(pool);
      return { name, pool, path: '/v1/chat/completions', headers: { 'content-type': 'application/json', ...headers } };
    };
    const auth = { authorization: `Bearer ${BENCH_KEY}` };
    const make = (conns: number) => [
      target('upstream, direct', sim.url, auth, conns),
      target('cometapi-mcp /v1 proxy', proxy.url, { 'x-client-name': 'bench' }, conns),
      target(
        'Portkey gateway 1.15',
        portkey.url,
        { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': sim.url },
        conns,
      ),
    ];

    const single = make(1);
    const lat = await latencies(single, calls, options.throughputMs ?? 60_000);
    const many = make(connections);
    const rates: Awaited<ReturnType<typeof throughput>>[] = [];
    for (const t of many)
      rates.push(await throughput(t, connections, options.throughputRequests ?? 20_000, options.throughputMs ?? 8_000));

    const base = sorted(lat[0] ?? []);
    const rows: ProxyBenchRow[] = single.map((t, i) => {
      const s = sorted(lat[i] ?? []);
      const rate = rates[i];
      return {
        target: t.name,
        test: `non-streamed chat (1 conn; ${connections} conns for req/s)`,
        requests: s.length,
        p50_ms: quantile(s, 0.5),
        p99_ms: quantile(s, 0.99),
        added_p50_ms: i === 0 ? null : quantile(s, 0.5) - quantile(base, 0.5),
        added_p99_ms: i === 0 ? null : quantile(s, 0.99) - quantile(base, 0.99),
        req_per_s: rate?.rps ?? 0,
        failed: rate?.failed ?? 0,
        peak_rss_mb: i === 0 ? null : peakRssMb(i === 1 ? proxy.pid : portkey.pid),
      };
    });

    const ledger = openLedger(dbFile, { readonly: true });
    try {
      const before = ledger.calls.maxId();
      const [directStreams, proxyStreams] = [
        target('upstream, direct', sim.url, auth, streams),
        target('proxy', proxy.url, { 'x-client-name': 'bench-streams' }, streams),
      ];
      const direct = await concurrentStreams(directStreams, streams);
      const through = await concurrentStreams(proxyStreams, streams);
      const rowsAfter = ledger.calls.after(before, streams * 2);
      const recorded = rowsAfter.filter(
        (r) => r.client === 'bench-streams' && r.status === 'ok' && r.stream === 1 && r.completion_tokens > 0,
      );
      for (const r of rowsAfter.filter((row) => !recorded.includes(row)).slice(0, 5))
        process.stderr.write(`unexpected row: ${JSON.stringify(r)}\n`);
      const d = sorted(direct.ttft);
      const p = sorted(through.ttft);
      rows.push(
        {
          target: 'upstream, direct',
          test: `${streams} concurrent streamed chats (time to first byte)`,
          requests: streams,
          p50_ms: quantile(d, 0.5),
          p99_ms: quantile(d, 0.99),
          added_p50_ms: null,
          added_p99_ms: null,
          req_per_s: streams / (direct.ms / 1000),
          failed: direct.failed,
          peak_rss_mb: null,
        },
        {
          target: 'cometapi-mcp /v1 proxy',
          test: `${streams} concurrent streamed chats (time to first byte)`,
          requests: streams,
          p50_ms: quantile(p, 0.5),
          p99_ms: quantile(p, 0.99),
          added_p50_ms: quantile(p, 0.5) - quantile(d, 0.5),
          added_p99_ms: quantile(p, 0.99) - quantile(d, 0.99),
          req_per_s: streams / (through.ms / 1000),
          // a stream counts as failed here unless its ledger row says ok with the usage it streamed
          failed: Math.max(through.failed, streams - recorded.length),
          peak_rss_mb: peakRssMb(proxy.pid),
        },
      );
    } finally {
      ledger.close();
    }
    return rows;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchProxy({
    latencyCalls: Number(process.argv[2] ?? 2000),
    connections: Number(process.argv[3] ?? 50),
  });
  process.stdout.write(markdownTable(rows));
}
