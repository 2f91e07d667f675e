-- Sessions, as migrations/sqlite/0010_sessions.sql: each call's session id, quotas scoped per
-- session, and alerts fired once per quota, period, threshold and session.
ALTER TABLE calls ADD COLUMN session TEXT COLLATE "C";
CREATE INDEX calls_session_ts ON calls (session, ts) WHERE session IS NOT NULL;

ALTER TABLE quotas DROP CONSTRAINT quotas_scope_check;
ALTER TABLE quotas ADD CONSTRAINT quotas_scope_check
  CHECK (scope IN ('global', 'model', 'tool', 'client', 'provider', 'session'));
ALTER TABLE quotas DROP CONSTRAINT quotas_check;
ALTER TABLE quotas ADD CONSTRAINT quotas_scope_value_check CHECK ((scope IN ('global', 'session')) = (scope_value IS NULL));

ALTER TABLE alerts ADD COLUMN session TEXT COLLATE "C" NOT NULL DEFAULT ''; -- '' unless the quota is per session
ALTER TABLE alerts DROP CONSTRAINT alerts_quota_id_period_start_threshold_key;
ALTER TABLE alerts ADD CONSTRAINT alerts_once UNIQUE (quota_id, period_start, threshold, session);
