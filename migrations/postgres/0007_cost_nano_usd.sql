-- Costs in whole nano-USD (1e-9 USD) instead of micro-USD, as migrations/sqlite/0011
-- (docs/decisions/0022-costs-in-nano-usd.md). Renamed in place and scaled by exactly 1000: no
-- table is rebuilt, so columns other migrations add to calls are kept.
ALTER TABLE calls RENAME COLUMN cost_micro_usd TO cost_nano_usd;
UPDATE calls SET cost_nano_usd = cost_nano_usd * 1000 WHERE cost_nano_usd IS NOT NULL;

ALTER TABLE call_rollups RENAME COLUMN cost_micro_usd TO cost_nano_usd;
UPDATE call_rollups SET cost_nano_usd = cost_nano_usd * 1000;

-- Cost quotas, the alerts they fired and the exact-quota counters and holds share the unit.
UPDATE quotas SET limit_amount = limit_amount * 1000 WHERE metric = 'cost';
UPDATE alerts SET used_amount = used_amount * 1000, limit_amount = limit_amount * 1000
 WHERE quota_id IN (SELECT id FROM quotas WHERE metric = 'cost');
UPDATE quota_counters SET used = used * 1000 WHERE quota_id IN (SELECT id FROM quotas WHERE metric = 'cost');
UPDATE quota_holds SET amount = amount * 1000 WHERE quota_id IN (SELECT id FROM quotas WHERE metric = 'cost');

-- Prices set with `cometapi-mcp prices set` (or the dashboard) for every machine on this ledger.
-- price: JSON of the fields set, in the price file's units (USD per million tokens, ...).
CREATE TABLE price_overrides (
  model      TEXT COLLATE "C" PRIMARY KEY,
  price      TEXT   NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Bumped by every change, from any machine, like quotas_version: stores cache the overrides and
-- re-read them only when this counter moved.
INSERT INTO ledger_meta (key, value) VALUES ('prices_version', 0);

CREATE FUNCTION ledger_bump_prices_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_meta SET value = value + 1 WHERE key = 'prices_version';
  RETURN NULL;
END;
$$;

CREATE TRIGGER prices_changed AFTER INSERT OR UPDATE OR DELETE ON price_overrides
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_bump_prices_version();
