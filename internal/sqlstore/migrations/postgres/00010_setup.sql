-- +goose Up
-- Settings an admin changes in the admin panel (registration open or closed), by name.
CREATE TABLE instance_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The one-time links that create the first admin of an instance reachable from the network:
-- one per running server, renewed while it runs; only the token's SHA-256 is kept.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE setup_tokens;
DROP TABLE instance_settings;
