-- Exact shared hard quotas: a call holds its estimate against a quota's period before it reaches
-- the upstream and drops the hold once its row is committed (or it failed). Reservations take the
-- period's counter row FOR UPDATE, so machines take turns and the limit is never passed.
CREATE TABLE quota_counters (
  quota_id     INTEGER NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
  period_start BIGINT  NOT NULL,
  used         BIGINT  NOT NULL DEFAULT 0,   -- committed calls counted so far, in the quota's unit
  through_id   BIGINT  NOT NULL DEFAULT 0,   -- ... up to this call id (ids commit in order)
  counts       TEXT    NOT NULL DEFAULT '',  -- metric and scope counted; a changed quota is counted afresh
  PRIMARY KEY (quota_id, period_start)
);

-- Holds of calls in flight; a process killed mid-call leaves one that expires_at sets free.
CREATE TABLE quota_holds (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  quota_id     INTEGER NOT NULL,
  period_start BIGINT  NOT NULL,
  amount       BIGINT  NOT NULL CHECK (amount >= 0),
  expires_at   BIGINT  NOT NULL,
  FOREIGN KEY (quota_id, period_start) REFERENCES quota_counters (quota_id, period_start) ON DELETE CASCADE
);
CREATE INDEX quota_holds_period ON quota_holds (quota_id, period_start);
