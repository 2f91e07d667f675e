/**
 * Brings call_rollups up to date with calls, lazily, from the reader's side: rows with
 * id > watermark are folded into their slot's rollup rows and the watermark moves to the last id
 * read. Nothing runs on the insert path. Rows only ever get appended (ids grow in commit order
 * because SQLite assigns max(id) + 1 under the write lock), so reading by id never misses one,
 * even when a row's ts is older than rows committed before it.
 */
import type { CallStatus } from '../calls.js';
import type { Db } from './open.js';
import { SQL } from './sql.js';
import {
  AggregateMap,
  ROLLUP_DIMS,
  SLOT_MS,
  slotStart,
  TOTAL_FIELDS,
  type Aggregate,
  type RollupDim,
} from '../rollups/aggregate.js';
import { addEncoded, addToBucket, bucketOf, encodeHistogram } from '../rollups/histogram.js';

/**
 * Rows per write transaction. Each chunk holds the ledger's write lock while it runs (~0.1 s for
 * 50k rows), so other processes' inserts wait at most that long rather than for a whole backlog.
 */
const CHUNK_ROWS = 50_000;

type CallTuple = [
  id: number,
  ts: number,
  model: string,
  tool: string,
  client: string | null,
  provider: string,
  status: CallStatus,
  prompt: number,
  completion: number,
  costNano: number,
  unpriced: 0 | 1,
  estimated: 0 | 1,
  retries: number,
  images: number,
  timedDuration: number | null,
  ttft: number | null,
];

type StoredRow = Record<(typeof TOTAL_FIELDS)[number], number> & {
  rowid: number;
  latency_hist: string;
  ttft_hist: string;
};

interface Cell {
  dim: RollupDim;
  start: number;
  agg: Aggregate;
}

/**
 * Returns a function that catches the rollups up — at most `maxChunks` chunks of CHUNK_ROWS, all of
 * them by default — and reports how many calls it folded in.
 */
export function createRollupCatchUp(db: Db): (maxChunks?: number) => number {
  const lastCounted = db.prepare<[], number>('SELECT last_call_id FROM call_rollup_watermark WHERE id = 1').pluck();
  const newestCall = db.prepare<[], number | null>('SELECT MAX(id) FROM calls').pluck();
  const setWatermark = db.prepare<[number]>('UPDATE call_rollup_watermark SET last_call_id = ? WHERE id = 1');
  const rowsAfter = db
    .prepare<[number, number], CallTuple>(
      `SELECT id, ts, ${SQL.modelKey}, tool, client, provider, status, prompt_tokens, completion_tokens,
              COALESCE(cost_nano_usd, 0), ${SQL.unpriced}, usage_estimated, retries, images,
              CASE WHEN ${SQL.timed} THEN duration_ms END, ttft_ms
         FROM calls WHERE id > ? ORDER BY id LIMIT ?`,
    )
    .raw();
  const findRow = db.prepare<[RollupDim, number, string | null], StoredRow>(
    `SELECT rowid, ${TOTAL_FIELDS.join(', ')}, latency_hist, ttft_hist
       FROM call_rollups WHERE dim = ? AND start_ms = ? AND key IS ?`,
  );
  const columns = [...TOTAL_FIELDS, 'latency_hist', 'ttft_hist'];
  const updateRow = db.prepare(
    `UPDATE call_rollups SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE rowid = @rowid`,
  );
  const insertRow = db.prepare(
    `INSERT INTO call_rollups (dim, key, start_ms, ${columns.join(', ')})
     VALUES (@dim, @key, @start, ${columns.map((c) => `@${c}`).join(', ')})`,
  );

  // Nested maps (dim → slot → key), not one map under a composite string key: building and
  // hashing six strings per call made the 1M-row catch-up about twice as slow.
  const fold = (rows: CallTuple[]): Cell[] => {
    const byDim = new Map(ROLLUP_DIMS.map((dim) => [dim, new Map<number, AggregateMap>()]));
    for (const [
      ,
      ts,
      model,
      tool,
      client,
      provider,
      status,
      prompt,
      completion,
      cost,
      unpriced,
      estimated,
      retries,
      images,
      duration,
      ttft,
    ] of rows) {
      const keys: Record<RollupDim, string | null> = { all: null, model, tool, client, provider, status };
      const latencyBucket = duration === null ? -1 : bucketOf(duration);
      const ttftBucket = ttft === null ? -1 : bucketOf(ttft);
      for (const [dim, slots] of byDim) {
        const start = slotStart(ts, SLOT_MS[dim]);
        let groups = slots.get(start);
        if (!groups) {
          groups = new AggregateMap();
          slots.set(start, groups);
        }
        const a = groups.get(keys[dim]);
        a.requests += 1;
        a.ok += status === 'ok' ? 1 : 0;
        a.errors += status === 'error' ? 1 : 0;
        a.blocked += status === 'blocked' ? 1 : 0;
        a.prompt_tokens += prompt;
        a.completion_tokens += completion;
        a.cost_nano_usd += cost;
        a.unpriced += unpriced;
        a.estimated += estimated;
        a.retries += retries;
        a.images += images;
        if (latencyBucket >= 0) addToBucket(a.latency, latencyBucket);
        if (ttftBucket >= 0) addToBucket(a.ttft, ttftBucket);
      }
    }
    return [...byDim].flatMap(([dim, slots]) =>
      [...slots].flatMap(([start, groups]) => [...groups.groups.values()].map((agg) => ({ dim, start, agg }))),
    );
  };

  const store = ({ dim, start, agg }: Cell) => {
    const stored = findRow.get(dim, start, agg.key);
    const values: Record<string, number | string> = {};
    for (const f of TOTAL_FIELDS) values[f] = agg[f] + (stored?.[f] ?? 0);
    if (stored) {
      addEncoded(agg.latency, stored.latency_hist);
      addEncoded(agg.ttft, stored.ttft_hist);
    }
    values.latency_hist = encodeHistogram(agg.latency);
    values.ttft_hist = encodeHistogram(agg.ttft);
    if (stored) updateRow.run({ ...values, rowid: stored.rowid });
    else insertRow.run({ ...values, dim, key: agg.key, start });
  };

  // IMMEDIATE: the watermark is read under the write lock, so two sidecars catching up at once
  // take turns and neither counts a row twice; no insert can commit between the read and the update.
  const chunk = db.transaction((): number => {
    const after = lastCounted.get() ?? 0;
    const rows = rowsAfter.all(after, CHUNK_ROWS);
    const last = rows[rows.length - 1];
    if (!last) return 0;
    for (const cell of fold(rows)) store(cell);
    setWatermark.run(last[0]);
    return rows.length;
  });

  return (maxChunks = Infinity) => {
    // The common case, nothing new, costs two indexed reads and no write lock.
    if ((newestCall.get() ?? 0) <= (lastCounted.get() ?? 0)) return 0;
    let folded = 0;
    for (let chunks = 0, n = CHUNK_ROWS; n === CHUNK_ROWS && chunks < maxChunks; chunks++) {
      n = chunk.immediate();
      folded += n;
    }
    return folded;
  };
}

/**
 * Catches up one chunk at a time, yielding to the event loop between chunks, so a large backlog
 * (a first start on a big ledger) is folded in the background instead of in the first request.
 */
export async function warmRollups(db: Db, stopped: () => boolean): Promise<number> {
  const catchUp = createRollupCatchUp(db);
  let folded = 0;
  for (let n = -1; n !== 0 && !stopped();) {
    n = catchUp(1);
    folded += n;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return folded;
}
