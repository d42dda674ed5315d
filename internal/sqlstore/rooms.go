package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

const roomColumns = `id, code, owner_id, name, lobby_enabled, pin_hash, chat_enabled, files_enabled,
	max_participants, locked, status, created_at, updated_at, started_at, ended_at, lecture_id`

// roomSelect adds the event counter, which only AppendEvent writes, and the current lecture's
// call epoch, which only RotateCall writes.
const roomSelect = roomColumns + `, last_event_seq, (SELECT l.call_epoch FROM lectures l WHERE l.id = rooms.lecture_id)`

func scanRoom(row rowScanner) (*domain.Room, error) {
	var r domain.Room
	var status string
	var started, ended sql.NullTime
	var epoch sql.NullInt64
	err := row.Scan(&r.ID, &r.Code, &r.OwnerID, &r.Name, &r.LobbyEnabled, &r.PINHash, &r.ChatEnabled, &r.FilesEnabled,
		&r.MaxParticipants, &r.Locked, &status, &r.CreatedAt, &r.UpdatedAt, &started, &ended, &r.LectureID, &r.LastEventSeq, &epoch)
	if err != nil {
		return nil, err
	}
	r.Status, r.CallEpoch = domain.RoomStatus(status), int(epoch.Int64)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	r.StartedAt, r.EndedAt = utcPtr(started), utcPtr(ended)
	return &r, nil
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// CreateRoom makes the room with its first lecture (r.LectureID), not started yet.
func (db *DB) CreateRoom(ctx context.Context, r domain.Room) error {
	if r.LectureID == "" {
		return domain.Errorf(domain.EInvalid, "A room is made with its first lecture's id.")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO rooms (`+roomColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Code, r.OwnerID, r.Name, r.LobbyEnabled, r.PINHash, r.ChatEnabled, r.FilesEnabled,
			r.MaxParticipants, r.Locked, string(r.Status), r.CreatedAt, r.UpdatedAt, r.StartedAt, r.EndedAt, r.LectureID); err != nil {
			return err
		}
		_, err := db.exec(ctx, tx, `INSERT INTO lectures (id, room_id, number, status) VALUES (?, ?, 1, 'CREATED')`, r.LectureID, r.ID)
		return err
	})
	return translate(err, "room")
}

func (db *DB) Room(ctx context.Context, id string) (*domain.Room, error) {
	r, err := scanRoom(db.queryRow(ctx, db.x, `SELECT `+roomSelect+` FROM rooms WHERE id = ?`, id))
	return r, translate(err, "room")
}

// RoomForUpdate reads the room and, on PostgreSQL, locks its row until the transaction ends, so
// that a change computed from it is not lost to a concurrent one. (SQLite transactions hold the
// database's write lock from BEGIN.) Call it inside InTx.
func (db *DB) RoomForUpdate(ctx context.Context, id string) (*domain.Room, error) {
	q := `SELECT ` + roomSelect + ` FROM rooms WHERE id = ?`
	if db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	r, err := scanRoom(db.queryRow(ctx, db.x, q, id))
	return r, translate(err, "room")
}

func (db *DB) RoomByCode(ctx context.Context, code string) (*domain.Room, error) {
	r, err := scanRoom(db.queryRow(ctx, db.x, `SELECT `+roomSelect+` FROM rooms WHERE code = ?`, code))
	return r, translate(err, "room")
}

func (db *DB) RoomsByOwner(ctx context.Context, ownerID string) ([]domain.Room, error) {
	return list(ctx, db, "rooms", scanRoom, `SELECT `+roomSelect+` FROM rooms WHERE owner_id = ? ORDER BY created_at DESC, id`, ownerID)
}

func (db *DB) UpdateRoom(ctx context.Context, r *domain.Room) error {
	res, err := db.exec(ctx, db.x, `UPDATE rooms SET name = ?, lobby_enabled = ?, pin_hash = ?, chat_enabled = ?, files_enabled = ?,
		max_participants = ?, locked = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.LobbyEnabled, r.PINHash, r.ChatEnabled, r.FilesEnabled, r.MaxParticipants, r.Locked, r.UpdatedAt, r.ID)
	return mustAffect(res, err, "room")
}

// DeleteRoom deletes the room; foreign keys cascade to everything of the room.
func (db *DB) DeleteRoom(ctx context.Context, id string) error {
	res, err := db.exec(ctx, db.x, `DELETE FROM rooms WHERE id = ?`, id)
	return mustAffect(res, err, "room")
}
