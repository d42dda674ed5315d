-- +goose Up
-- A lecture's call epoch: a ban moves it on, which moves the call to a new video room (named
-- by the lecture and the epoch), so no token issued before the ban opens the call again.
ALTER TABLE lectures ADD COLUMN call_epoch INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lectures DROP COLUMN call_epoch;
