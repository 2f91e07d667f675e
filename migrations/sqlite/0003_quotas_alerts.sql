-- Quotas: a limit on one metric over a calendar period, for everything or one model/tool/client/provider.
CREATE TABLE quotas (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  scope        TEXT    NOT NULL CHECK (scope IN ('global', 'model', 'tool', 'client', 'provider')),
  scope_value  TEXT,                            -- NULL exactly when scope = 'global'
  metric       TEXT    NOT NULL CHECK (metric IN ('tokens', 'cost', 'requests', 'images')),
  period       TEXT    NOT NULL CHECK (period IN ('day', 'week', 'month')),
  time_zone    TEXT    NOT NULL,                -- IANA zone the period is counted in, fixed at creation so every process agrees
  limit_amount INTEGER NOT NULL CHECK (limit_amount > 0), -- micro-USD for cost (like calls.cost_micro_usd), else a count
  thresholds   TEXT    NOT NULL DEFAULT '[50,80,100]',    -- JSON array of percents, ascending
  hard         INTEGER NOT NULL DEFAULT 0 CHECK (hard IN (0, 1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  CHECK ((scope = 'global') = (scope_value IS NULL))
);

-- One row per quota, period and threshold crossed. The UNIQUE constraint is what makes an alert fire
-- once even when several processes cross the threshold together: each tries INSERT OR IGNORE and only
-- the one whose insert changed a row delivers it.
CREATE TABLE alerts (
  id                INTEGER PRIMARY KEY,
  quota_id          INTEGER NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
  period_start      INTEGER NOT NULL,            -- ms since the Unix epoch
  threshold         REAL    NOT NULL,            -- percent of the limit
  used_amount       INTEGER NOT NULL,            -- usage when it fired, in the quota's unit
  limit_amount      INTEGER NOT NULL,
  message           TEXT    NOT NULL,
  fired_at          INTEGER NOT NULL,
  delivery          TEXT    NOT NULL CHECK (delivery IN ('pending', 'delivered', 'failed', 'no-webhook')),
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT,
  delivered_at      INTEGER,
  UNIQUE (quota_id, period_start, threshold)
);

CREATE INDEX alerts_fired_at ON alerts (fired_at);

-- Provider-scoped quotas sum a period of one provider's calls on every call; the other scopes
-- already have (column, ts) indexes from 0001.
CREATE INDEX IF NOT EXISTS calls_provider_ts ON calls (provider, ts);
