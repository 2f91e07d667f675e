/**
 * A separate process making metered calls into a ledger (test/fixtures/metered-writer.ts), as one
 * of several stdio servers or machines would; it prints a call id once that call's row is committed.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_KEY } from './harness.js';

const WRITER = fileURLToPath(new URL('../fixtures/metered-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Writer {
  name: string;
  /** Call ids acknowledged so far, in order. */
  acked: number[];
  stderr: string[];
  kill(): void;
  /** Exit code, or the signal's name; rejects after `timeoutMs`. */
  exited: Promise<number | string>;
  /** Resolves once `count` calls were acknowledged. */
  ackedAtLeast(count: number): Promise<void>;
}

/** `ledger` is a file or a postgres:// URL; `inFlight` calls at once: above 1, rows finishing together share a group commit. */
export function startWriter(
  ledger: string,
  upstream: string,
  calls: number,
  name: string,
  timeoutMs: number,
  inFlight = 1,
): Writer {
  const args = [WRITER, ledger, upstream, TEST_KEY, String(calls), name, String(inFlight)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, COMETAPI_MCP_LOG_LEVEL: 'error' },
  });
  const acked: number[] = [];
  const stderr: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    acked.push(Number(line));
    for (const w of waiters.filter((x) => acked.length >= x.count)) w.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs} ms (${acked.length} acknowledged)`));
    }, timeoutMs);
    // 'close' waits for stdout to drain, so every acknowledgement has been read by then.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    name,
    acked,
    stderr,
    exited,
    kill: () => child.kill('SIGKILL'),
    ackedAtLeast: (count) =>
      new Promise((resolve) => (acked.length >= count ? resolve() : waiters.push({ count, resolve }))),
  };
}
