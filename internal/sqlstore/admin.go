package sqlstore

import (
	"context"

	"github.com/liveserver/liveserver/internal/domain"
)

func (db *DB) AllRooms(ctx context.Context) ([]domain.Room, error) {
	return list(ctx, db, "rooms", scanRoom, `SELECT `+roomSelect+` FROM rooms ORDER BY created_at DESC, id`)
}

func (db *DB) Users(ctx context.Context) ([]domain.User, error) {
	return list(ctx, db, "users", scanUser, `SELECT `+userColumns+` FROM users ORDER BY created_at, id`)
}

func (db *DB) AttendeeCounts(ctx context.Context) (map[string]int, error) {
	return db.counts(ctx, `SELECT room_id, COUNT(DISTINCT identity) FROM attendance WHERE joined_at IS NOT NULL GROUP BY room_id`)
}

func (db *DB) JobCounts(ctx context.Context) (map[string]int, error) {
	return db.counts(ctx, `SELECT status, COUNT(*) FROM jobs GROUP BY status`)
}

func (db *DB) counts(ctx context.Context, q string) (map[string]int, error) {
	rows, err := db.query(ctx, db.x, q)
	if err != nil {
		return nil, translate(err, "counts")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, translate(err, "counts")
		}
		out[k] = n
	}
	return out, translate(rows.Err(), "counts")
}

func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, db.x, `SELECT COUNT(*) FROM users WHERE role = 'ADMIN' AND disabled = ?`, false).Scan(&n)
	return n, translate(err, "users")
}

func (db *DB) ModerationLog(ctx context.Context, f domain.ModerationFilter) ([]domain.ModerationEntry, error) {
	q := `SELECT id, room_id, actor_id, actor_name, action, target_identity, target_name, detail, created_at FROM moderation_log WHERE 1 = 1`
	var args []any
	if f.RoomID != "" {
		q += ` AND room_id = ?`
		args = append(args, f.RoomID)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.BeforeID != "" {
		// An unknown id matches nothing: the row comparison with NULL is never true.
		q += ` AND (created_at, id) < (SELECT created_at, id FROM moderation_log WHERE id = ?)`
		args = append(args, f.BeforeID)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.query(ctx, db.x, q, args...)
	if err != nil {
		return nil, translate(err, "moderation log")
	}
	defer rows.Close()
	out := []domain.ModerationEntry{}
	for rows.Next() {
		var m domain.ModerationEntry
		if err := rows.Scan(&m.ID, &m.RoomID, &m.ActorID, &m.ActorName, &m.Action, &m.TargetIdentity, &m.TargetName, &m.Detail, &m.CreatedAt); err != nil {
			return nil, translate(err, "moderation log")
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, translate(rows.Err(), "moderation log")
}

// RoomStatusCounts is how many rooms are in each status.
func (db *DB) RoomStatusCounts(ctx context.Context) (map[string]int, error) {
	return db.counts(ctx, `SELECT status, COUNT(*) FROM rooms GROUP BY status`)
}

// ConnectedNow is how many connections to live calls are open, by the webhooks' account.
func (db *DB) ConnectedNow(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, db.x, `SELECT COUNT(*) FROM attendance a JOIN rooms r ON r.id = a.room_id
		WHERE r.status = 'LIVE' AND a.joined_at IS NOT NULL AND a.left_at IS NULL`).Scan(&n)
	return n, translate(err, "attendance")
}
