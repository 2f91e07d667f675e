-- Rollups of calls for long dashboard ranges (docs/decisions/0011-ledger-rollups.md).
-- One row per time slot, dimension and key: dim 'all' (key NULL) carries a quarter hour's totals,
-- so time-series buckets in +05:30 or +05:45 zones are whole slots too; the other dims (breakdowns,
-- whose only odd edges are the range's two ends) carry one row per UTC hour and model / tool /
-- client / provider / status seen in it (key NULL for calls without a client). Filled by the reader from calls with id > the watermark, never by a
-- trigger, so the insert path does no extra work. The reader's IMMEDIATE transaction keeps one
-- row per (dim, hour_start_ms, key); NULL keys rule out a UNIQUE constraint doing it.
CREATE TABLE call_rollups (
  dim               TEXT    NOT NULL CHECK (dim IN ('all', 'model', 'tool', 'client', 'provider', 'status')),
  key               TEXT,
  start_ms          INTEGER NOT NULL,              -- slot start, ms since the Unix epoch
  requests          INTEGER NOT NULL,
  ok                INTEGER NOT NULL,
  errors            INTEGER NOT NULL,
  blocked           INTEGER NOT NULL,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_micro_usd    INTEGER NOT NULL,              -- sum of priced calls; unpriced ones counted below
  unpriced          INTEGER NOT NULL,
  estimated         INTEGER NOT NULL,
  retries           INTEGER NOT NULL,
  images            INTEGER NOT NULL,
  latency_hist      TEXT    NOT NULL,              -- log-spaced histogram, src/ledger/rollups/histogram.ts
  ttft_hist         TEXT    NOT NULL
);

CREATE INDEX call_rollups_dim_start ON call_rollups (dim, start_ms, key);

-- The highest calls.id already counted in call_rollups.
CREATE TABLE call_rollup_watermark (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  last_call_id INTEGER NOT NULL
);
INSERT INTO call_rollup_watermark (id, last_call_id) VALUES (1, 0);
