-- Sessions (docs/decisions/0021-sessions-and-loop-guard.md): each call's session id (the MCP
-- session, or what a proxy caller sent; NULL when none), quotas scoped per session, and alerts
-- fired once per quota, period, threshold AND session.
ALTER TABLE calls ADD COLUMN session TEXT;
-- The sessions view and per-session quota usage read one session's period; rows without a
-- session (most of an older ledger) stay out of the index.
CREATE INDEX calls_session_ts ON calls (session, ts) WHERE session IS NOT NULL;

-- SQLite cannot change a CHECK or UNIQUE constraint in place: quotas and alerts are rebuilt with
-- their ids. Alerts are set aside first, because dropping quotas would cascade-delete them.
CREATE TEMP TABLE alerts_kept AS SELECT * FROM alerts;
DROP TABLE alerts;

CREATE TABLE quotas_rebuilt (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  scope        TEXT    NOT NULL CHECK (scope IN ('global', 'model', 'tool', 'client', 'provider', 'session')),
  scope_value  TEXT,                            -- NULL for global and session (every session on its own)
  metric       TEXT    NOT NULL CHECK (metric IN ('tokens', 'cost', 'requests', 'images')),
  period       TEXT    NOT NULL CHECK (period IN ('day', 'week', 'month')),
  time_zone    TEXT    NOT NULL,
  limit_amount INTEGER NOT NULL CHECK (limit_amount > 0),
  thresholds   TEXT    NOT NULL DEFAULT '[50,80,100]',
  hard         INTEGER NOT NULL DEFAULT 0 CHECK (hard IN (0, 1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  CHECK ((scope IN ('global', 'session')) = (scope_value IS NULL))
);
INSERT INTO quotas_rebuilt SELECT id, name, scope, scope_value, metric, period, time_zone, limit_amount,
  thresholds, hard, created_at, updated_at FROM quotas;
DROP TABLE quotas;
ALTER TABLE quotas_rebuilt RENAME TO quotas;

CREATE TRIGGER quotas_changed_insert AFTER INSERT ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
CREATE TRIGGER quotas_changed_update AFTER UPDATE ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
CREATE TRIGGER quotas_changed_delete AFTER DELETE ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version';

CREATE TABLE alerts (
  id                INTEGER PRIMARY KEY,
  quota_id          INTEGER NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
  period_start      INTEGER NOT NULL,
  threshold         REAL    NOT NULL,
  used_amount       INTEGER NOT NULL,
  limit_amount      INTEGER NOT NULL,
  message           TEXT    NOT NULL,
  fired_at          INTEGER NOT NULL,
  delivery          TEXT    NOT NULL CHECK (delivery IN ('pending', 'delivered', 'failed', 'no-webhook')),
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT,
  delivered_at      INTEGER,
  session           TEXT    NOT NULL DEFAULT '', -- '' unless the quota is per session
  UNIQUE (quota_id, period_start, threshold, session)
);
INSERT INTO alerts (id, quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery,
  delivery_attempts, last_error, delivered_at)
  SELECT id, quota_id, period_start, threshold, used_amount, limit_amount, message, fired_at, delivery,
    delivery_attempts, last_error, delivered_at FROM alerts_kept;
DROP TABLE alerts_kept;
CREATE INDEX alerts_fired_at ON alerts (fired_at);
