-- Exact shared hard quotas (issue 13, step 2): one counter per quota and period, moved only by a
-- conditional UPDATE, so concurrent reservations from any number of machines never pass the limit.
CREATE TABLE quota_counters (
  quota_id     INTEGER NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
  period_start BIGINT  NOT NULL,
  used         BIGINT  NOT NULL CHECK (used >= 0),   -- reserved and settled, in the quota's unit
  PRIMARY KEY (quota_id, period_start)
);
