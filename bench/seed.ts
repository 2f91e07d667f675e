import { seededRandom } from '../src/random.js';
/**
 * Bulk-inserts synthetic calls spread over the last N days, for benchmarks and the demo-sized
 * dashboard screenshot. Deterministic for a given seed so runs are comparable.
 */
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '../src/ledger/sqlite/store.js';
import type { CallRecord, LedgerStore } from '../src/ledger/store.js';

export interface SeedOptions {
  count: number;
  /** The newest call's time; calls spread uniformly over [now - days, now). */
  now?: number;
  days?: number;
  seed?: number;
  /** Rows per transaction: large enough to amortise commits, small enough to bound memory. */
  batchSize?: number;
}

const DAY_MS = 86_400_000;

interface ModelProfile {
  name: string;
  weight: number;
  /** nano-USD per prompt / completion token; null: not in the price table. */
  price: [number, number] | null;
  msPerToken: number;
}

const MODELS: readonly ModelProfile[] = [
  { name: 'gpt-4o-mini', weight: 40, price: [150, 600], msPerToken: 8 },
  { name: 'claude-sonnet-4-20250514', weight: 20, price: [3000, 15000], msPerToken: 18 },
  { name: 'gemini-2.5-flash', weight: 18, price: [300, 2500], msPerToken: 6 },
  { name: 'deepseek-chat', weight: 12, price: [270, 1100], msPerToken: 14 },
  { name: 'gpt-5-mini', weight: 7, price: [250, 2000], msPerToken: 12 },
  { name: 'qwen3-coder-plus', weight: 3, price: null, msPerToken: 10 },
];
const TOOLS = ['chat', 'chat', 'chat', 'chat', 'create_embeddings', 'generate_image', '/v1/chat/completions'] as const;
const CLIENTS = ['Cherry Studio', 'Cherry Studio', 'Claude Desktop', 'Cursor', 'inspector-cli', 'proxy'] as const;
const ERRORS = [
  { type: 'rate_limit', http: 429, message: 'Rate limit reached for requests' },
  { type: 'timeout', http: null, message: 'Request timed out after 120000 ms' },
  { type: 'model_not_found', http: 404, message: "The model 'gpt-5x' does not exist" },
  { type: 'server_error', http: 502, message: 'Bad gateway' },
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function pickModel(random: () => number): ModelProfile {
  const total = MODELS.reduce((s, m) => s + m.weight, 0);
  let r = random() * total;
  for (const m of MODELS) {
    r -= m.weight;
    if (r <= 0) return m;
  }
  return MODELS[0] as ModelProfile;
}

/** One plausible call at time ts. */
export function syntheticCall(ts: number, random: () => number): CallRecord {
  const model = pickModel(random);
  const tool = pick(TOOLS, random);
  const stream = tool === 'chat' && random() < 0.6;
  const roll = random();
  const status = roll < 0.04 ? 'error' : roll < 0.05 ? 'blocked' : 'ok';
  const prompt = status === 'blocked' ? 0 : 50 + Math.floor(random() * random() * 4000);
  const completion = status === 'ok' && tool !== 'create_embeddings' ? 20 + Math.floor(random() * random() * 1500) : 0;
  const duration = status === 'blocked' ? 1 : Math.round(200 + completion * model.msPerToken * (0.5 + random()));
  const error = status === 'error' ? pick(ERRORS, random) : null;
  const cost = model.price && status !== 'blocked' ? prompt * model.price[0] + completion * model.price[1] : null;
  return {
    ts,
    duration_ms: duration,
    ttft_ms: stream && status === 'ok' ? Math.round(150 + random() * 900) : null,
    source: tool.startsWith('/v1') ? 'proxy' : 'mcp-stdio',
    client: pick(CLIENTS, random),
    tool,
    provider: 'cometapi',
    model_requested: model.name,
    model_used: status === 'ok' ? model.name : null,
    stream,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: 0,
    reasoning_tokens: 0,
    images: tool === 'generate_image' && status === 'ok' ? 1 : 0,
    usage_estimated: status === 'ok' && random() < 0.03,
    cost_nano_usd: cost,
    status,
    http_status: error ? error.http : status === 'ok' ? 200 : null,
    error_type: error ? error.type : status === 'blocked' ? 'quota_exceeded' : null,
    error_message: error ? error.message : status === 'blocked' ? "quota 'daily-cost' reached" : null,
    retries: error?.type === 'rate_limit' ? 3 : random() < 0.02 ? 1 : 0,
    fallback_from: null,
    request_id: null,
  };
}

/** Inserts options.count calls in batched transactions (the store's recordMany). */
export async function seedSyntheticCalls(store: LedgerStore, options: SeedOptions): Promise<void> {
  const now = options.now ?? Date.now();
  const span = (options.days ?? 30) * DAY_MS;
  const batchSize = options.batchSize ?? 50_000;
  const random = seededRandom(options.seed ?? 42);
  const start = now - span;
  const step = span / options.count;
  for (let done = 0; done < options.count; done += batchSize) {
    const batch: CallRecord[] = [];
    const end = Math.min(options.count, done + batchSize);
    // Evenly spaced with jitter, in time order, as a real ledger is.
    for (let i = done; i < end; i++) batch.push(syntheticCall(Math.floor(start + (i + random()) * step), random));
    await store.calls.recordMany(batch);
  }
}

/** `npx tsx bench/seed.ts <file> [count]` */
async function main(): Promise<void> {
  const [file, countArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/seed.ts <ledger.db> [count=1000000]\n');
    process.exitCode = 2;
    return;
  }
  const store = openSqliteStore({ file });
  const started = performance.now();
  const count = Number(countArg ?? 1_000_000);
  await seedSyntheticCalls(store, { count });
  await store.close();
  process.stdout.write(`seeded ${count} calls into ${file} in ${Math.round(performance.now() - started)} ms\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
