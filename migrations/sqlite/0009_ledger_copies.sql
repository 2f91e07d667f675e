-- `cometapi-mcp ledger copy`: every ledger gets a stable id of its own, and a target records how
-- far each source has been copied in, in the same transaction as the copied rows, so a copy run
-- twice copies nothing twice and one cut short carries on where it stopped.
INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', abs(random() % 9007199254740991));
CREATE TABLE ledger_copies (
  source_ledger INTEGER PRIMARY KEY,  -- ledger_id of the ledger copied from
  through_id    INTEGER NOT NULL,     -- its last call id copied here
  copied        INTEGER NOT NULL,     -- calls copied from it in all
  updated_at    INTEGER NOT NULL
);
