-- +goose Up
-- The whole data model of DESIGN §3. Identifiers are UUID strings made by the application, so
-- the same queries serve SQLite and PostgreSQL. Every table that belongs to a room cascades
-- from it: deleting a room deletes all of its data.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,          -- lower-cased by the application
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'HOST')),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- One-time facts about the instance, claimed with INSERT ... ON CONFLICT DO NOTHING so that
-- exactly one replica wins (e.g. 'first_user': the first registration becomes ADMIN).
CREATE TABLE instance_flags (
    name       TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,               -- hex SHA-256 of the cookie token
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE rooms (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,       -- the invite code
    owner_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    lobby_enabled    BOOLEAN NOT NULL,
    pin_hash         TEXT NOT NULL DEFAULT '',
    chat_enabled     BOOLEAN NOT NULL,
    files_enabled    BOOLEAN NOT NULL,
    max_participants INTEGER NOT NULL,
    locked           BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL CHECK (status IN ('CREATED', 'LIVE', 'ENDED')),
    -- Bumped in the transaction that writes a room_events row, so the room's row lock orders
    -- event ids: a reader resuming after N never misses one (DESIGN §5).
    last_event_seq   BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    ended_at         TIMESTAMPTZ
);
CREATE INDEX rooms_owner ON rooms (owner_id, created_at);
CREATE INDEX rooms_status ON rooms (status);

-- The durable copy of every event on a room's stream; the SSE id is seq.
CREATE TABLE room_events (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    type       TEXT NOT NULL,
    audience   TEXT NOT NULL DEFAULT 'all',      -- 'all', 'host', or one identity
    payload    TEXT NOT NULL,                    -- JSON
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, seq)
);

-- A guest's request to enter. session_id is the guest's cookie session (DESIGN §3).
CREATE TABLE lobby_entries (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'REVOKED')),
    created_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    decided_by  TEXT
);
CREATE INDEX lobby_entries_room ON lobby_entries (room_id, status, created_at);
CREATE INDEX lobby_entries_session ON lobby_entries (room_id, session_id);

-- Who was admitted to a room: the right to read chat, files and the event stream.
CREATE TABLE participant_history (
    id             TEXT PRIMARY KEY,
    room_id        TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    identity       TEXT NOT NULL,                -- a guest's session_id, a user's id, the agent's
    user_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('HOST', 'GUEST', 'AGENT')),
    fingerprint    TEXT NOT NULL DEFAULT '',
    lobby_entry_id TEXT REFERENCES lobby_entries (id) ON DELETE SET NULL,
    admitted_at    TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,                  -- kicked or banned: must pass the lobby again
    UNIQUE (room_id, identity)
);

-- Attendance: one row per LiveKit participant session (sid), filled from webhooks in any
-- order, so a duplicate or late event never corrupts a duration.
CREATE TABLE attendance (
    room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    sid       TEXT NOT NULL,
    identity  TEXT NOT NULL,
    name      TEXT NOT NULL,
    joined_at TIMESTAMPTZ,
    left_at   TIMESTAMPTZ,
    PRIMARY KEY (room_id, sid)
);
CREATE INDEX attendance_identity ON attendance (room_id, identity);

CREATE TABLE bans (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    identity    TEXT NOT NULL,
    session_id  TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    lifted_at   TIMESTAMPTZ                      -- unban keeps the record
);
CREATE INDEX bans_fingerprint ON bans (room_id, fingerprint);
CREATE INDEX bans_session ON bans (room_id, session_id);

CREATE TABLE hand_raises (
    room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    identity  TEXT NOT NULL,
    name      TEXT NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, identity)
);

CREATE TABLE chat_messages (
    id              TEXT PRIMARY KEY,
    room_id         TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    sender_identity TEXT NOT NULL,
    sender_name     TEXT NOT NULL,
    client_id       TEXT NOT NULL,               -- chosen by the client: a retry never duplicates
    text            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ,
    deleted_by      TEXT,
    UNIQUE (room_id, sender_identity, client_id)
);
CREATE INDEX chat_messages_room ON chat_messages (room_id, created_at);

CREATE TABLE shared_files (
    id                TEXT PRIMARY KEY,
    room_id           TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    uploader_identity TEXT NOT NULL,
    uploader_name     TEXT NOT NULL,
    file_key          TEXT NOT NULL UNIQUE,      -- blob store key, never a URL
    name              TEXT NOT NULL,
    size              BIGINT NOT NULL,
    content_type      TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX shared_files_room ON shared_files (room_id, created_at);

CREATE TABLE transcript_segments (
    id               TEXT PRIMARY KEY,
    room_id          TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    segment_id       TEXT NOT NULL,              -- lk.segment_id: a re-sent final is not doubled
    speaker_identity TEXT NOT NULL,
    speaker_name     TEXT NOT NULL,
    track_id         TEXT NOT NULL,
    start_ms         BIGINT NOT NULL,            -- from the start of the lecture
    end_ms           BIGINT NOT NULL,
    text             TEXT NOT NULL,
    language         TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (room_id, segment_id)
);
CREATE INDEX transcript_segments_room ON transcript_segments (room_id, start_ms);

-- 1:1 with the room.
CREATE TABLE lecture_artifacts (
    room_id          TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    summary_status   TEXT NOT NULL CHECK (summary_status IN ('PENDING', 'RUNNING', 'READY', 'FAILED')),
    summary_kind     TEXT NOT NULL DEFAULT '',   -- 'llm' or 'extractive'
    summary_markdown TEXT NOT NULL DEFAULT '',
    summary_error    TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT '',
    share_token_hash TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE moderation_log (
    id              TEXT PRIMARY KEY,
    room_id         TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    action          TEXT NOT NULL,
    target_identity TEXT NOT NULL DEFAULT '',
    target_name     TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',    -- JSON
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX moderation_log_room ON moderation_log (room_id, created_at);
CREATE INDEX moderation_log_time ON moderation_log (created_at);

-- Durable background work (summaries, exports), claimed with a lease.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    room_id      TEXT REFERENCES rooms (id) ON DELETE CASCADE,
    payload      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE UNIQUE INDEX jobs_room_kind ON jobs (room_id, kind) WHERE room_id IS NOT NULL;

-- LiveKit webhook ids already handled (deduplication).
CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    room_name   TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMPTZ NOT NULL
);

-- A host's Google Drive connection; the refresh token is encrypted with the auth secret.
CREATE TABLE drive_connections (
    user_id                 TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_encrypted TEXT NOT NULL,
    scope                   TEXT NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE drive_connections;
DROP TABLE webhook_events;
DROP TABLE jobs;
DROP TABLE moderation_log;
DROP TABLE lecture_artifacts;
DROP TABLE transcript_segments;
DROP TABLE shared_files;
DROP TABLE chat_messages;
DROP TABLE hand_raises;
DROP TABLE bans;
DROP TABLE attendance;
DROP TABLE participant_history;
DROP TABLE lobby_entries;
DROP TABLE room_events;
DROP TABLE rooms;
DROP TABLE sessions;
DROP TABLE instance_flags;
DROP TABLE users;
