/**
 * The /v1 proxy with the PostgreSQL ledger against the same proxy with SQLite and against the
 * upstream direct, in one run: req/s of non-streamed chats at 50 connections and the p50 added at
 * 1 connection. PostgreSQL is COMETAPI_MCP_BENCH_DATABASE_URL (a maintenance database to create a
 * fresh one on), else a throwaway local cluster like the tests'. Every 2xx answer must be a row.
 *
 *   npm run build && npx tsx bench/proxy-postgres.ts [seconds per run, default 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type OpenStoreOptions } from '../src/ledger/open-store.js';
import { benchPostgres, freshDatabase } from './postgres.js';
import { runLoad, startProxy, startSim, type Server } from './proxy-servers.js';
import { markdownTable } from './table.js';

const KEY = 'sk-bench-0000000000000000000000000000';
const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'How much does a ledger add?' }],
});

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '5');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-pg-'));
  const cluster = await benchPostgres();
  const servers: Server[] = [];
  try {
    const databaseUrl = await freshDatabase(cluster.adminUrl);
    const sim = await startSim(KEY);
    servers.push(sim);
    const sqlite = await startProxy(sim.url, KEY, path.join(dir, 'ledger.db'));
    servers.push(sqlite);
    const postgres = await startProxy(sim.url, KEY, path.join(dir, 'unused.db'), {
      COMETAPI_MCP_DATABASE_URL: databaseUrl,
    });
    servers.push(postgres);
    const targets: { name: string; url: string; headers: Record<string, string>; ledger: OpenStoreOptions | null }[] = [
      {
        name: 'upstream, direct',
        url: new URL(sim.url).origin,
        headers: { authorization: `Bearer ${KEY}` },
        ledger: null,
      },
      { name: 'proxy, SQLite ledger', url: sqlite.url, headers: {}, ledger: { dbPath: path.join(dir, 'ledger.db') } },
      { name: 'proxy, PostgreSQL ledger', url: postgres.url, headers: {}, ledger: { dbPath: '', databaseUrl } },
    ];
    const load = (t: (typeof targets)[number], client: string, connections: number, durationS: number) =>
      runLoad({
        url: `${t.url}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', 'x-client-name': client, ...t.headers },
        body: BODY,
        connections,
        durationS,
        maxRequests: 200_000,
      });
    for (const t of targets) await load(t, 'warmup', 50, 1);
    const rows = [];
    for (const connections of [50, 1]) {
      const client = `bench-c${connections}`;
      const results = [];
      for (const t of targets) results.push(await load(t, client, connections, seconds));
      const direct = results[0];
      for (const [i, t] of targets.entries()) {
        const r = results[i];
        if (!r) continue;
        let recorded: number | null = null;
        if (t.ledger) {
          const store = await openStore(t.ledger);
          const report = await store.queries.usageReport({
            since: 0,
            until: Date.now() + 1,
            by: 'client',
            timeZone: 'UTC',
          });
          recorded = report.rows.find((row) => row.key === client)?.requests ?? 0;
          await store.close();
        }
        rows.push({
          target: t.name,
          connections,
          requests: r.ok,
          failed: r.non2xx + r.errors + (recorded === null ? 0 : Math.max(0, r.ok - recorded)),
          req_per_s: Math.round(r.rps),
          p50_ms: Number(r.p50_ms.toFixed(2)),
          added_p50_ms: i === 0 || !direct ? null : Number((r.p50_ms - direct.p50_ms).toFixed(2)),
        });
      }
    }
    process.stdout.write(markdownTable(rows) + '\n');
  } finally {
    for (const s of servers.reverse()) await s.stop();
    cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
