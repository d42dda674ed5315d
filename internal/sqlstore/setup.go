package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.queryRow(ctx, db.x, `SELECT value FROM instance_settings WHERE name = ?`, name).Scan(&v)
	return v, translate(err, "setting")
}

func (db *DB) PutSetting(ctx context.Context, name, value string, at time.Time) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO instance_settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, at)
	return translate(err, "setting")
}

func (db *DB) PutSetupToken(ctx context.Context, tokenHash string, createdAt, expiresAt time.Time) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at`, tokenHash, createdAt, expiresAt)
	return translate(err, "setup token")
}

func (db *DB) DeleteSetupToken(ctx context.Context, tokenHash string) error {
	_, err := db.exec(ctx, db.x, `DELETE FROM setup_tokens WHERE token_hash = ?`, tokenHash)
	return translate(err, "setup token")
}

// UseSetupToken claims the 'setup' flag first: its primary key lets exactly one of concurrent
// setups (with several servers' tokens) through; the others wait for it to commit and then
// find the flag taken. Claiming it before touching any token row keeps them from waiting on
// each other's tokens (PostgreSQL found that deadlock). A token that is not there rolls the
// claim back. Every token goes with the winner.
func (db *DB) UseSetupToken(ctx context.Context, tokenHash string, now time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `INSERT INTO instance_flags (name, created_at) VALUES ('setup', ?) ON CONFLICT DO NOTHING`, now)
		if err != nil {
			return translate(err, "setup")
		}
		if n, err := res.RowsAffected(); err != nil {
			return translate(err, "setup")
		} else if n == 0 {
			return domain.Errorf(domain.ESetupDone, "This server has been set up already: sign in.")
		}
		res, err = db.exec(ctx, tx, `DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ?`, tokenHash, now)
		if err != nil {
			return translate(err, "setup token")
		}
		if n, err := res.RowsAffected(); err != nil {
			return translate(err, "setup token")
		} else if n == 0 {
			return translate(sql.ErrNoRows, "setup token")
		}
		_, err = db.exec(ctx, tx, `DELETE FROM setup_tokens`)
		return translate(err, "setup tokens")
	})
}
