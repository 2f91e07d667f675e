-- Speech is billed per character of input and transcription per minute of audio: record both, so a
-- row's cost can be checked against its units like tokens and images.
ALTER TABLE calls ADD COLUMN input_chars INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN audio_seconds REAL;
