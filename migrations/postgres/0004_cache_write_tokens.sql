-- Anthropic bills prompt tokens written to its cache above plain input (and reads far below it):
-- record the writes beside cached_tokens (the reads), both counted inside prompt_tokens.
ALTER TABLE calls ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
