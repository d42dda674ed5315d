-- +goose Up
-- The assistant's lease on a live room: exactly one agent process captions it, and another
-- takes it over when the holder stops renewing.
CREATE TABLE agent_rooms (
    room_id     TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    claimed_at  DATETIME NOT NULL,
    lease_until DATETIME NOT NULL
);

-- Heartbeats of the assistant processes, for the admin panel's health view.
CREATE TABLE agent_workers (
    id         TEXT PRIMARY KEY,
    stt        TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    seen_at    DATETIME NOT NULL,
    rooms      INTEGER NOT NULL,
    tracks     INTEGER NOT NULL
);

-- +goose Down
DROP TABLE agent_workers;
DROP TABLE agent_rooms;
