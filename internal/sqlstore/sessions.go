package sqlstore

import (
	"context"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

func (db *DB) CreateSession(ctx context.Context, s domain.Session) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.ExpiresAt, s.LastSeenAt)
	return translate(err, "session")
}

func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*domain.Session, *domain.User, error) {
	row := db.queryRow(ctx, db.x, `
		SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, s.last_seen_at,
		       u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now)
	var s domain.Session
	var u domain.User
	var role string
	err := row.Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.ExpiresAt, &s.LastSeenAt,
		&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, nil, translate(err, "session")
	}
	u.Role = domain.Role(role)
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeenAt.UTC()
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &s, &u, nil
}

func (db *DB) TouchSession(ctx context.Context, tokenHash string, seen, expiresAt time.Time) error {
	_, err := db.exec(ctx, db.x, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`, seen, expiresAt, tokenHash)
	return translate(err, "session")
}

func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.exec(ctx, db.x, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return translate(err, "session")
}

func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := db.exec(ctx, db.x, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return translate(err, "sessions")
}

// DeleteExpiredSessions removes sessions that expired before now; it returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.exec(ctx, db.x, `DELETE FROM sessions WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, translate(err, "sessions")
	}
	return res.RowsAffected()
}

// Housekeeping: how long records that only serve a while are kept.
const (
	forgetAgentsAfter   = 24 * time.Hour     // a silent assistant process's heartbeat row
	forgetWebhooksAfter = 7 * 24 * time.Hour // a handled webhook id (LiveKit retries within minutes)
)

// PurgeStale deletes the rows that only serve a while: heartbeats of assistant processes
// silent for a day, and the ids of webhooks handled a week ago.
func (db *DB) PurgeStale(ctx context.Context, now time.Time) error {
	if _, err := db.exec(ctx, db.x, `DELETE FROM agent_workers WHERE seen_at < ?`, now.Add(-forgetAgentsAfter)); err != nil {
		return translate(err, "agent workers")
	}
	if _, err := db.exec(ctx, db.x, `DELETE FROM setup_tokens WHERE expires_at < ?`, now); err != nil {
		return translate(err, "setup tokens")
	}
	_, err := db.exec(ctx, db.x, `DELETE FROM webhook_events WHERE received_at < ?`, now.Add(-forgetWebhooksAfter))
	return translate(err, "webhook events")
}
