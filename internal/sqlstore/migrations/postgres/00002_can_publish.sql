-- +goose Up
-- The host can take away a participant's right to publish; it outlives a reload of the page.
ALTER TABLE participant_history ADD COLUMN can_publish BOOLEAN NOT NULL DEFAULT TRUE;

-- +goose Down
ALTER TABLE participant_history DROP COLUMN can_publish;
