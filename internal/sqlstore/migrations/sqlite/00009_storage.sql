-- +goose Up
-- Everything the instance stores for a room, in bytes, one row per stored object: what the
-- storage quotas count. Shared files now; a later kind (recordings) joins with UNION ALL, and
-- so counts against the same quotas.
CREATE VIEW stored_content AS
    SELECT room_id, size FROM shared_files;

-- A room's sum reads the index alone.
CREATE INDEX shared_files_room_size ON shared_files (room_id, size);

-- +goose Down
DROP INDEX shared_files_room_size;
DROP VIEW stored_content;
