-- +goose Up
-- A room lasts a course: each start opens a lecture in it, which has its own door (lobby,
-- admissions), attendance, chat, files, transcript, summary and call (the LiveKit room is named
-- by the lecture's id). Settings, bans, the moderation log and the event stream stay with the
-- room. The room always has a current lecture: the live one, or the next one (CREATED) that
-- knocks made between lectures wait for; rooms.status mirrors it (CREATED: never started,
-- LIVE, ENDED: the last lecture ended and the next one has not started).
CREATE TABLE lectures (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,                -- 1, 2, ... in the room
    status     TEXT NOT NULL CHECK (status IN ('CREATED', 'LIVE', 'ENDED')),
    started_at TIMESTAMPTZ,
    ended_at   TIMESTAMPTZ,
    UNIQUE (room_id, number)
);
ALTER TABLE rooms ADD COLUMN lecture_id TEXT NOT NULL DEFAULT '';

-- Every room of the previous version was one lecture: it keeps the room's id, so a call live
-- during the upgrade keeps its name in LiveKit and old links to /lectures/{roomId} still work.
INSERT INTO lectures (id, room_id, number, status, started_at, ended_at)
    SELECT id, id, 1, status, started_at, ended_at FROM rooms;
-- A room whose lecture ended gets its next lecture, so it can be started again.
INSERT INTO lectures (id, room_id, number, status)
    SELECT gen_random_uuid()::text, id, 2, 'CREATED' FROM rooms WHERE status = 'ENDED';
UPDATE rooms SET lecture_id = (SELECT l.id FROM lectures l WHERE l.room_id = rooms.id ORDER BY l.number DESC LIMIT 1);
-- A hand raised in an ended lecture is not raised in the next one.
DELETE FROM hand_raises WHERE room_id IN (SELECT id FROM rooms WHERE status = 'ENDED');

-- The lecture's rows.
ALTER TABLE lobby_entries ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE lobby_entries SET lecture_id = room_id;
ALTER TABLE lobby_entries ALTER COLUMN lecture_id SET NOT NULL;
CREATE INDEX lobby_entries_lecture ON lobby_entries (lecture_id, status, created_at);
DROP INDEX lobby_entries_session;
CREATE INDEX lobby_entries_session ON lobby_entries (lecture_id, session_id);

ALTER TABLE attendance ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE attendance SET lecture_id = room_id;
ALTER TABLE attendance ALTER COLUMN lecture_id SET NOT NULL;
DROP INDEX attendance_identity;
CREATE INDEX attendance_identity ON attendance (lecture_id, identity);

ALTER TABLE chat_messages ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE chat_messages SET lecture_id = room_id;
ALTER TABLE chat_messages ALTER COLUMN lecture_id SET NOT NULL;
DROP INDEX chat_messages_room;
CREATE INDEX chat_messages_lecture ON chat_messages (lecture_id, created_at);

ALTER TABLE shared_files ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE shared_files SET lecture_id = room_id;
ALTER TABLE shared_files ALTER COLUMN lecture_id SET NOT NULL;
DROP INDEX shared_files_room;
CREATE INDEX shared_files_lecture ON shared_files (lecture_id, created_at);

ALTER TABLE transcript_segments ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE transcript_segments SET lecture_id = room_id;
ALTER TABLE transcript_segments ALTER COLUMN lecture_id SET NOT NULL;
-- A caption's segment id is unique in its lecture (the assistant numbers them per call).
ALTER TABLE transcript_segments DROP CONSTRAINT transcript_segments_room_id_segment_id_key;
ALTER TABLE transcript_segments ADD CONSTRAINT transcript_segments_lecture_id_segment_id_key UNIQUE (lecture_id, segment_id);
DROP INDEX transcript_segments_room;
CREATE INDEX transcript_segments_lecture ON transcript_segments (lecture_id, start_ms);

ALTER TABLE jobs ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE jobs SET lecture_id = room_id WHERE room_id IS NOT NULL;
DROP INDEX jobs_room_kind;
CREATE UNIQUE INDEX jobs_lecture_kind ON jobs (lecture_id, kind) WHERE lecture_id IS NOT NULL;

-- Admissions are per lecture: a guest admitted last week knocks again.
ALTER TABLE participant_history ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE participant_history SET lecture_id = room_id;
ALTER TABLE participant_history ALTER COLUMN lecture_id SET NOT NULL;
ALTER TABLE participant_history DROP CONSTRAINT participant_history_room_id_identity_key;
ALTER TABLE participant_history ADD CONSTRAINT participant_history_lecture_id_identity_key UNIQUE (lecture_id, identity);

-- 1:1 with the lecture now.
ALTER TABLE lecture_artifacts ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE lecture_artifacts SET lecture_id = room_id;
ALTER TABLE lecture_artifacts DROP CONSTRAINT lecture_artifacts_pkey;
ALTER TABLE lecture_artifacts ADD PRIMARY KEY (lecture_id);

-- The assistant's leases are on calls, which are lectures. A lease lives seconds: the running
-- ones are simply taken again.
DROP TABLE agent_rooms;
CREATE TABLE agent_lectures (
    lecture_id  TEXT PRIMARY KEY REFERENCES lectures (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);

-- +goose Down
SELECT 'down migration not supported: the lectures of a room cannot be folded back into one';
