-- +goose Up
-- The guest's device cookie (a signed id kept apart from the guest session) on its knocks, its
-- admissions and its bans, so that a ban outlives a cleared session and a changed fingerprint.
-- Rows from before keep '' there, which no key matches.
ALTER TABLE lobby_entries ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE participant_history ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE bans ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
CREATE INDEX bans_device ON bans (room_id, device_id);

-- +goose Down
DROP INDEX bans_device;
ALTER TABLE bans DROP COLUMN device_id;
ALTER TABLE participant_history DROP COLUMN device_id;
ALTER TABLE lobby_entries DROP COLUMN device_id;
