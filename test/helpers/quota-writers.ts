/**
 * Several quota-writer processes (test/fixtures/quota-writer.ts) on one ledger, released
 * together: each prints "ready", all get "go" at once, and each ends with one JSON line of results.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_KEY } from './harness.js';

const WRITER = fileURLToPath(new URL('../fixtures/quota-writer.ts', import.meta.url));

export interface QuotaWriterOutcome {
  ok: number;
  refused: number;
  failed: number;
  notices: number;
}

/** One process per environment (HOME, COMETAPI_BASE_URL, the ledger, CALLS, CONCURRENCY, CLIENT_NAME, …). */
export async function runQuotaWriters(envs: readonly Record<string, string>[]): Promise<QuotaWriterOutcome[]> {
  const ready: Promise<void>[] = [];
  const children = envs.map((env) =>
    spawn(process.execPath, ['--import', 'tsx', WRITER], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        COMETAPI_KEY: TEST_KEY,
        COMETAPI_MCP_TZ: 'UTC',
        COMETAPI_MAX_RETRIES: '0',
        ...env,
      },
    }),
  );
  const results = children.map((child, i) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const seen: string[] = [];
    const lines = readline.createInterface({ input: child.stdout });
    ready.push(new Promise((resolve) => lines.on('line', (l) => (seen.push(l), l === 'ready' && resolve()))));
    return new Promise<QuotaWriterOutcome>((resolve, reject) =>
      child.on('close', (code) =>
        code === 0
          ? resolve(JSON.parse(seen.at(-1) ?? '{}') as QuotaWriterOutcome)
          : reject(new Error(`writer ${i} exited ${code}: ${stderr}`)),
      ),
    );
  });
  await Promise.all(ready);
  for (const child of children) child.stdin.end('go\n');
  return Promise.all(results);
}
