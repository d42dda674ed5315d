-- +goose Up
-- SQLite twin of migrations/postgres/00005_event_retention.sql. Keep the two in step.
-- The event log keeps ROOM_EVENTS_RETENTION (7 days by default): the compaction deletes the
-- oldest events first, in bounded batches, and finds them through this index instead of a scan
-- of the whole log (DeleteEventsBefore).
CREATE INDEX room_events_created ON room_events (created_at);

-- +goose Down
DROP INDEX room_events_created;
