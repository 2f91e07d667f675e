import type { RollupReader } from '../rollups/reader.js';
import { summaryFrom, type SummaryQuery } from '../queries/summary.js';
import type { TimeRange } from '../queries/range.js';
import type { Db } from './open.js';
import { SQL } from './sql.js';

export function createSummaryQuery(db: Db, rollups: RollupReader): SummaryQuery {
  // Exact nearest-rank: fetch the range's values from the covering index and sort them as a
  // Float64Array. Measured on 1M rows this beat letting SQLite sort with LIMIT 1 OFFSET k (four
  // sorts) by 3–4x for both 24h and 30d ranges.
  const latencies = db
    .prepare<[TimeRange], number>(`SELECT duration_ms FROM calls WHERE ${SQL.inRange} AND ${SQL.timed}`)
    .pluck();
  const ttfts = db
    .prepare<[TimeRange], number>(`SELECT ttft_ms FROM calls WHERE ${SQL.inRange} AND ttft_ms IS NOT NULL`)
    .pluck();

  return (range) => summaryFrom(range, rollups, (r) => ({ latencies: latencies.all(r), ttfts: ttfts.all(r) }));
}
