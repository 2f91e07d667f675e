-- A counter bumped by every change to quotas, from any process: a store caches the quota list
-- and re-reads it only when PRAGMA data_version says another connection committed and this
-- counter moved (docs/decisions/0016-one-async-store.md).
CREATE TABLE ledger_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO ledger_meta (key, value) VALUES ('quotas_version', 0);

CREATE TRIGGER quotas_changed_insert AFTER INSERT ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
CREATE TRIGGER quotas_changed_update AFTER UPDATE ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
CREATE TRIGGER quotas_changed_delete AFTER DELETE ON quotas
BEGIN UPDATE ledger_meta SET value = value + 1 WHERE key = 'quotas_version'; END;
