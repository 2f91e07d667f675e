-- Rollups of calls for long dashboard ranges, as migrations/sqlite/0005 (docs/decisions/0011 and
-- 0017): per slot, dimension and key the additive totals, and the latency / TTFT histograms as one
-- row per non-empty bucket (so folding new calls in is a plain ON CONFLICT add). dim 'all' has
-- quarter-hour slots, the others UTC hours. Folded in by readers from calls with id > the
-- watermark, never by a trigger, so the insert path does no extra work. Needs PostgreSQL 15 for
-- NULLS NOT DISTINCT (a call without a client has a NULL key).
CREATE TABLE call_rollups (
  dim               TEXT   NOT NULL CHECK (dim IN ('all', 'model', 'tool', 'client', 'provider', 'status')),
  key               TEXT COLLATE "C",
  start_ms          BIGINT NOT NULL,
  requests          BIGINT NOT NULL,
  ok                BIGINT NOT NULL,
  errors            BIGINT NOT NULL,
  blocked           BIGINT NOT NULL,
  prompt_tokens     BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  cost_micro_usd    BIGINT NOT NULL,
  unpriced          BIGINT NOT NULL,
  estimated         BIGINT NOT NULL,
  retries           BIGINT NOT NULL,
  images            BIGINT NOT NULL,
  UNIQUE NULLS NOT DISTINCT (dim, start_ms, key)
);

CREATE TABLE call_rollup_hist (
  dim      TEXT    NOT NULL,
  key      TEXT COLLATE "C",
  start_ms BIGINT  NOT NULL,
  kind     TEXT    NOT NULL CHECK (kind IN ('latency', 'ttft')),
  bucket   INTEGER NOT NULL,                    -- src/ledger/rollups/histogram.ts bucketOf()
  n        BIGINT  NOT NULL,
  UNIQUE NULLS NOT DISTINCT (dim, start_ms, kind, key, bucket)
);

-- The highest calls.id already counted in the rollups.
CREATE TABLE call_rollup_watermark (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  last_call_id BIGINT NOT NULL
);
INSERT INTO call_rollup_watermark (id, last_call_id) VALUES (1, 0);
