/**
 * The processes bench/proxy.ts measures, each started on 127.0.0.1 in its own process: the
 * simulated upstream, the lean baseline, `cometapi-mcp serve` from the build and Portkey's gateway;
 * and the load generator (bench/workers/load.ts), run once per measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './workers/load.js';

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

/** Resolves with the first stdout line starting with `prefix`. */
function firstLine(child: ChildProcess, name: string, prefix: string, timeoutMs: number): Promise<string> {
  const stdout = child.stdout;
  if (!stdout) throw new Error(`${name} has no stdout`);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), reject(new Error(`${name}: no answer in ${timeoutMs} ms`))),
      timeoutMs,
    );
    createInterface({ input: stdout }).on('line', (line) => {
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      resolve(line.slice(prefix.length));
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${name} exited (${code}) before answering`))));
  });
}

/** A bench/ server script that prints its base URL first and exits when stdin closes. */
async function startScript(script: string, args: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const url = await firstLine(child, script, '', 20_000);
  return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
}

export const startSim = (key: string) => startScript('sim-server.ts', [], { BENCH_UPSTREAM_KEY: key });

export const startLean = (upstream: string, key: string, dbFile: string) =>
  startScript('lean-proxy.ts', [dbFile], { BENCH_UPSTREAM_URL: upstream, BENCH_UPSTREAM_KEY: key });

/** Waits until GET url answers 2xx, or the child dies, or 20 s pass. */
async function whenUp(child: ChildProcess, url: string, name: string): Promise<Server> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url: new URL(url).origin, pid: child.pid ?? 0, stop: () => stopChild(child) };
  }
  await stopChild(child);
  throw new Error(`${name} did not start within 20 s`);
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

/**
 * The proxy as users run it: `cometapi-mcp serve` from the build, on 127.0.0.1 with its own ledger
 * (a file, or the PostgreSQL that `extraEnv`'s COMETAPI_MCP_DATABASE_URL names).
 */
export async function startProxy(
  upstream: string,
  key: string,
  dbFile: string,
  extraEnv: Record<string, string> = {},
): Promise<Server> {
  const cli = path.join(here, '../dist/cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.dirname(dbFile),
    COMETAPI_KEY: key,
    COMETAPI_BASE_URL: upstream,
    COMETAPI_MCP_DB: dbFile,
    COMETAPI_MCP_HOST: '127.0.0.1',
    COMETAPI_MCP_PORT: String(port),
    COMETAPI_MCP_TZ: 'UTC',
    COMETAPI_MCP_LOG_LEVEL: 'error',
    ...extraEnv,
  };
  const child = spawn(process.execPath, [cli, 'serve'], { stdio: ['pipe', 'ignore', 'ignore'], env });
  return whenUp(child, `http://127.0.0.1:${port}/api/info`, 'cometapi-mcp serve');
}

/** Portkey's published Node server; it takes only a port, so it is reached (and polled) on 127.0.0.1. */
export async function startPortkey(): Promise<Server> {
  const entry = path.join(here, '../node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!fs.existsSync(entry)) throw new Error('@portkey-ai/gateway is not installed');
  const port = await freePort();
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
  });
  return whenUp(child, `http://127.0.0.1:${port}`, 'Portkey');
}

/** One load run from its own process; killed if it outlives its own bounds by 30 s. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'workers/load.ts'), JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bound = spec.durationS * 1000 + 30_000;
  return JSON.parse(await firstLine(child, 'load generator', 'result ', bound)) as LoadResult;
}

/** Peak resident set size of a process, from Linux's /proc (VmHWM). */
export function peakRssMb(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}
