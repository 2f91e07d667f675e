-- One row per metered upstream call (retries and fallbacks are counted in the row, not as extra rows).
CREATE TABLE calls (
  id                INTEGER PRIMARY KEY,
  ts                INTEGER NOT NULL,              -- call start, ms since the Unix epoch
  duration_ms       INTEGER,
  ttft_ms           INTEGER,                       -- time to first token (streamed chat only)
  source            TEXT    NOT NULL,              -- mcp-stdio | mcp-http | proxy | bench | demo
  client            TEXT,                          -- MCP clientInfo.name or proxy caller
  tool              TEXT    NOT NULL,              -- MCP tool or proxy endpoint
  provider          TEXT    NOT NULL,
  model_requested   TEXT    NOT NULL,
  model_used        TEXT,
  stream            INTEGER NOT NULL DEFAULT 0,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens     INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
  images            INTEGER NOT NULL DEFAULT 0,
  usage_estimated   INTEGER NOT NULL DEFAULT 0,
  cost_micro_usd    INTEGER,                       -- NULL means unpriced, never 0
  status            TEXT    NOT NULL CHECK (status IN ('ok', 'error', 'blocked')),
  http_status       INTEGER,
  error_type        TEXT,
  error_message     TEXT,                          -- redacted and truncated
  retries           INTEGER NOT NULL DEFAULT 0,
  fallback_from     TEXT,
  request_id        TEXT
);

CREATE INDEX calls_ts ON calls (ts);
CREATE INDEX calls_model_ts ON calls (model_used, ts);
CREATE INDEX calls_tool_ts ON calls (tool, ts);
CREATE INDEX calls_client_ts ON calls (client, ts);
CREATE INDEX calls_status_ts ON calls (status, ts);
