-- Costs in whole nano-USD (1e-9 USD) instead of micro-USD, so a 10-token embedding (0.2 µ$) is
-- 200 n$ rather than 0 (docs/decisions/0022-costs-in-nano-usd.md). Renamed in place and scaled
-- by exactly 1000: no table is rebuilt, so columns other migrations add to calls are kept.
ALTER TABLE calls RENAME COLUMN cost_micro_usd TO cost_nano_usd;
UPDATE calls SET cost_nano_usd = cost_nano_usd * 1000 WHERE cost_nano_usd IS NOT NULL;

ALTER TABLE call_rollups RENAME COLUMN cost_micro_usd TO cost_nano_usd;
UPDATE call_rollups SET cost_nano_usd = cost_nano_usd * 1000;

-- Cost quotas and the alerts they fired are counted in the same unit as calls.
UPDATE quotas SET limit_amount = limit_amount * 1000 WHERE metric = 'cost';
UPDATE alerts SET used_amount = used_amount * 1000, limit_amount = limit_amount * 1000
 WHERE quota_id IN (SELECT id FROM quotas WHERE metric = 'cost');

-- Prices set with `cometapi-mcp prices set` (or the dashboard), over the built-in table and
-- COMETAPI_MCP_PRICES, for every process on this ledger. price: JSON of the fields set, in the
-- price file's units (USD per million tokens, per image, per request, ...).
CREATE TABLE price_overrides (
  model      TEXT    PRIMARY KEY,
  price      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Bumped by every change, from any process, like quotas_version (0007): stores cache the
-- overrides and re-read them only when another connection committed and this counter moved.
INSERT INTO ledger_meta (key, value) VALUES ('prices_version', 0);
CREATE TRIGGER prices_changed_insert AFTER INSERT ON price_overrides
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'prices_version'; END;
CREATE TRIGGER prices_changed_update AFTER UPDATE ON price_overrides
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'prices_version'; END;
CREATE TRIGGER prices_changed_delete AFTER DELETE ON price_overrides
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'prices_version'; END;
