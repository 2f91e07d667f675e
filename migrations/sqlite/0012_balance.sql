-- CometAPI's balance, refreshed on a schedule (docs/decisions/0023-balance-and-reconciliation.md).
-- A failed refresh is a row too (error set, figures NULL), so every process can show why it is stale.
CREATE TABLE balance_snapshots (
  id                  INTEGER PRIMARY KEY,
  taken_at            INTEGER NOT NULL,  -- ms since the Unix epoch
  source              TEXT    NOT NULL,  -- the query service's host, never its URL (that holds the key)
  balance_nano       INTEGER,           -- total_quota, nano-USD
  used_nano          INTEGER,
  requests            INTEGER,
  key_name            TEXT,
  key_remaining_nano INTEGER,           -- NULL: unlimited or no key name configured
  error               TEXT,
  CHECK ((error IS NULL) = (balance_nano IS NOT NULL))
);
CREATE INDEX balance_snapshots_taken_at ON balance_snapshots (taken_at);

-- "Alert when the balance falls below X". The conditional UPDATE of armed decides, across processes,
-- who fires a crossing; state_at keeps an older snapshot from re-arming or firing after a newer one.
CREATE TABLE balance_rules (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  below_nano INTEGER NOT NULL CHECK (below_nano > 0),
  armed       INTEGER NOT NULL DEFAULT 1 CHECK (armed IN (0, 1)),
  state_at    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);

CREATE TABLE balance_alerts (
  id                INTEGER PRIMARY KEY,
  rule_id           INTEGER NOT NULL REFERENCES balance_rules (id) ON DELETE CASCADE,
  below_nano       INTEGER NOT NULL,
  balance_nano     INTEGER NOT NULL,
  message           TEXT    NOT NULL,
  fired_at          INTEGER NOT NULL,
  delivery          TEXT    NOT NULL CHECK (delivery IN ('pending', 'delivered', 'failed', 'no-webhook')),
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT,
  delivered_at      INTEGER
);
CREATE INDEX balance_alerts_fired_at ON balance_alerts (fired_at);

-- Each reconciliation run stores one row per billing day, so history shows how drift moved.
CREATE TABLE reconciliations (
  id               INTEGER PRIMARY KEY,
  run_at           INTEGER NOT NULL,
  day              TEXT    NOT NULL,   -- YYYY-MM-DD in time_zone
  time_zone        TEXT    NOT NULL,
  key_name         TEXT,               -- NULL: the whole account
  billed_requests  INTEGER,            -- NULL: CometAPI reported nothing for the day
  billed_nano     INTEGER,
  metered_requests INTEGER NOT NULL,
  metered_nano    INTEGER NOT NULL,
  unpriced         INTEGER NOT NULL,
  flagged          INTEGER NOT NULL CHECK (flagged IN (0, 1)),
  cause            TEXT,
  models           TEXT    NOT NULL DEFAULT '[]'  -- JSON array of model names
);
CREATE INDEX reconciliations_run_at ON reconciliations (run_at);
CREATE INDEX reconciliations_day ON reconciliations (day, run_at);
