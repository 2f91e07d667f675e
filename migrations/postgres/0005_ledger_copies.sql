-- `cometapi-mcp ledger copy`: every ledger gets a stable id of its own, and a target records how
-- far each source has been copied in, in the same transaction as the copied rows, so a copy run
-- twice copies nothing twice and one cut short carries on where it stopped.
INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', floor(random() * 9007199254740991)::bigint);
CREATE TABLE ledger_copies (
  source_ledger BIGINT PRIMARY KEY,   -- ledger_id of the ledger copied from
  through_id    BIGINT NOT NULL,      -- its last call id copied here
  copied        BIGINT NOT NULL,      -- calls copied from it in all
  updated_at    BIGINT NOT NULL
);
