-- +goose Up
-- A message sent by a host (the owner, or an admin in the call) carries the host badge in the
-- call and on the lecture page; kept with the message, since who hosted can change later.
ALTER TABLE chat_messages ADD COLUMN from_host INTEGER NOT NULL DEFAULT 0;
-- Messages written before this column: the room's owner was their host.
UPDATE chat_messages SET from_host = 1
  WHERE sender_identity = (SELECT owner_id FROM rooms WHERE rooms.id = chat_messages.room_id);

-- +goose Down
ALTER TABLE chat_messages DROP COLUMN from_host;
