-- +goose Up
-- SQLite twin of migrations/postgres/00004_lectures.sql. Keep the two in step.
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
    started_at DATETIME,
    ended_at   DATETIME,
    UNIQUE (room_id, number)
);
ALTER TABLE rooms ADD COLUMN lecture_id TEXT NOT NULL DEFAULT '';

-- Every room of the previous version was one lecture: it keeps the room's id, so a call live
-- during the upgrade keeps its name in LiveKit and old links to /lectures/{roomId} still work.
INSERT INTO lectures (id, room_id, number, status, started_at, ended_at)
    SELECT id, id, 1, status, started_at, ended_at FROM rooms;
-- A room whose lecture ended gets its next lecture, so it can be started again.
INSERT INTO lectures (id, room_id, number, status)
    SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
                 substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
           id, 2, 'CREATED'
    FROM rooms WHERE status = 'ENDED';
UPDATE rooms SET lecture_id = (SELECT l.id FROM lectures l WHERE l.room_id = rooms.id ORDER BY l.number DESC LIMIT 1);
-- A hand raised in an ended lecture is not raised in the next one.
DELETE FROM hand_raises WHERE room_id IN (SELECT id FROM rooms WHERE status = 'ENDED');

-- The lecture's rows. SQLite adds a column with a foreign key only if it may be NULL; the
-- application always sets it (PostgreSQL enforces NOT NULL).
ALTER TABLE lobby_entries ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE lobby_entries SET lecture_id = room_id;
CREATE INDEX lobby_entries_lecture ON lobby_entries (lecture_id, status, created_at);
DROP INDEX lobby_entries_session;
CREATE INDEX lobby_entries_session ON lobby_entries (lecture_id, session_id);

ALTER TABLE attendance ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE attendance SET lecture_id = room_id;
DROP INDEX attendance_identity;
CREATE INDEX attendance_identity ON attendance (lecture_id, identity);

ALTER TABLE chat_messages ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE chat_messages SET lecture_id = room_id;
DROP INDEX chat_messages_room;
CREATE INDEX chat_messages_lecture ON chat_messages (lecture_id, created_at);

ALTER TABLE shared_files ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE shared_files SET lecture_id = room_id;
DROP INDEX shared_files_room;
CREATE INDEX shared_files_lecture ON shared_files (lecture_id, created_at);


ALTER TABLE jobs ADD COLUMN lecture_id TEXT REFERENCES lectures (id) ON DELETE CASCADE;
UPDATE jobs SET lecture_id = room_id WHERE room_id IS NOT NULL;
DROP INDEX jobs_room_kind;
CREATE UNIQUE INDEX jobs_lecture_kind ON jobs (lecture_id, kind) WHERE lecture_id IS NOT NULL;

-- Admissions are per lecture: a guest admitted last week knocks again. SQLite changes a
-- uniqueness only by rebuilding the table (nothing references it).
CREATE TABLE participant_history_new (
    id             TEXT PRIMARY KEY,
    room_id        TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    lecture_id     TEXT NOT NULL REFERENCES lectures (id) ON DELETE CASCADE,
    identity       TEXT NOT NULL,
    user_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('HOST', 'GUEST', 'AGENT')),
    fingerprint    TEXT NOT NULL DEFAULT '',
    lobby_entry_id TEXT REFERENCES lobby_entries (id) ON DELETE SET NULL,
    admitted_at    DATETIME NOT NULL,
    revoked_at     DATETIME,
    can_publish    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (lecture_id, identity)
);
INSERT INTO participant_history_new (id, room_id, lecture_id, identity, user_id, name, kind, fingerprint, lobby_entry_id,
        admitted_at, revoked_at, can_publish)
    SELECT id, room_id, room_id, identity, user_id, name, kind, fingerprint, lobby_entry_id, admitted_at, revoked_at, can_publish
    FROM participant_history;
DROP TABLE participant_history;
ALTER TABLE participant_history_new RENAME TO participant_history;

-- A caption's segment id is unique in its lecture (the assistant numbers them per call).
CREATE TABLE transcript_segments_new (
    id               TEXT PRIMARY KEY,
    room_id          TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    lecture_id       TEXT NOT NULL REFERENCES lectures (id) ON DELETE CASCADE,
    segment_id       TEXT NOT NULL,
    speaker_identity TEXT NOT NULL,
    speaker_name     TEXT NOT NULL,
    track_id         TEXT NOT NULL,
    start_ms         INTEGER NOT NULL,
    end_ms           INTEGER NOT NULL,
    text             TEXT NOT NULL,
    language         TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    UNIQUE (lecture_id, segment_id)
);
INSERT INTO transcript_segments_new (id, room_id, lecture_id, segment_id, speaker_identity, speaker_name, track_id, start_ms, end_ms,
        text, language, created_at)
    SELECT id, room_id, room_id, segment_id, speaker_identity, speaker_name, track_id, start_ms, end_ms, text, language, created_at
    FROM transcript_segments;
DROP TABLE transcript_segments;
ALTER TABLE transcript_segments_new RENAME TO transcript_segments;
CREATE INDEX transcript_segments_lecture ON transcript_segments (lecture_id, start_ms);

-- 1:1 with the lecture now.
CREATE TABLE lecture_artifacts_new (
    lecture_id       TEXT PRIMARY KEY REFERENCES lectures (id) ON DELETE CASCADE,
    room_id          TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    summary_status   TEXT NOT NULL CHECK (summary_status IN ('PENDING', 'RUNNING', 'READY', 'FAILED')),
    summary_kind     TEXT NOT NULL DEFAULT '',
    summary_markdown TEXT NOT NULL DEFAULT '',
    summary_error    TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT '',
    share_token_hash TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
INSERT INTO lecture_artifacts_new (lecture_id, room_id, summary_status, summary_kind, summary_markdown, summary_error, language,
        share_token_hash, created_at, updated_at)
    SELECT room_id, room_id, summary_status, summary_kind, summary_markdown, summary_error, language, share_token_hash,
        created_at, updated_at
    FROM lecture_artifacts;
DROP TABLE lecture_artifacts;
ALTER TABLE lecture_artifacts_new RENAME TO lecture_artifacts;

-- The assistant's leases are on calls, which are lectures. A lease lives seconds: the running
-- ones are simply taken again.
DROP TABLE agent_rooms;
CREATE TABLE agent_lectures (
    lecture_id  TEXT PRIMARY KEY REFERENCES lectures (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    claimed_at  DATETIME NOT NULL,
    lease_until DATETIME NOT NULL
);

-- +goose Down
SELECT 'down migration not supported: the lectures of a room cannot be folded back into one';
