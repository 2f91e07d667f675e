/**
 * The lean baseline for bench/proxy.ts: about the least a Node proxy that meters can do. node:http
 * in, an undici Pool out, and before answering, one better-sqlite3 row per call (WAL,
 * synchronous=NORMAL, a prepared autocommit insert) with the model and the usage it read back.
 * Upstream and key come in BENCH_UPSTREAM_URL and BENCH_UPSTREAM_KEY; ledger file is argv[2].
 * Prints its base URL as the first line of stdout, serves 127.0.0.1 only, exits when stdin closes.
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import { Pool } from 'undici';

const { BENCH_UPSTREAM_URL: upstream, BENCH_UPSTREAM_KEY: key } = process.env;
const file = process.argv[2];
if (!upstream || !key || !file) {
  process.stderr.write('usage: BENCH_UPSTREAM_URL=... BENCH_UPSTREAM_KEY=... tsx bench/lean-proxy.ts <ledger.db>\n');
  process.exit(2);
}
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(
  'CREATE TABLE IF NOT EXISTS calls (ts INTEGER, ms REAL, status INTEGER, model TEXT, prompt INTEGER, completion INTEGER)',
);
const insert = db.prepare('INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)');
const pool = new Pool(new URL(upstream).origin, { connections: 128, keepAliveTimeout: 30_000 });
const base = new URL(upstream).pathname.replace(/\/v1\/?$/, '');

const server = http.createServer(async (req, res) => {
  const started = performance.now();
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const up = await pool.request({
      path: base + (req.url ?? '/'),
      method: req.method === 'POST' ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: Buffer.concat(chunks),
    });
    const text = await up.body.text();
    const json = JSON.parse(text) as { model?: string; usage?: { prompt_tokens?: number; completion_tokens?: number } };
    const usage = json.usage ?? {};
    insert.run(
      Date.now(),
      performance.now() - started,
      up.statusCode,
      json.model ?? null,
      usage.prompt_tokens ?? 0,
      usage.completion_tokens ?? 0,
    );
    res.writeHead(up.statusCode, { 'content-type': 'application/json' }).end(text);
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => void pool.close().finally(() => (db.close(), process.exit(0)))));
