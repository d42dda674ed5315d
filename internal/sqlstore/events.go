package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// AppendEvent bumps the room's counter and stores the event under the new number, in one
// transaction. The UPDATE takes the room's row lock, so events of one room commit in the order
// of their numbers (DESIGN §5): a reader that has seen N has seen everything below N.
func (db *DB) AppendEvent(ctx context.Context, e domain.Event) (domain.Event, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.queryRow(ctx, tx, `UPDATE rooms SET last_event_seq = last_event_seq + 1 WHERE id = ? RETURNING last_event_seq`,
			e.RoomID).Scan(&e.Seq); err != nil {
			return err
		}
		_, err := db.exec(ctx, tx, `INSERT INTO room_events (room_id, seq, type, audience, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			e.RoomID, e.Seq, e.Type, e.Audience, string(e.Payload), e.CreatedAt)
		return err
	})
	return e, translate(err, "room")
}

func (db *DB) RewriteEvents(ctx context.Context, roomID, typ, subject, newType string, payload []byte) (int, error) {
	if err := uuid.Validate(subject); err != nil {
		return 0, domain.Invalid("subject", "An event's subject must be an id.")
	}
	// Payloads are our own JSON (encoding/json writes "id":"…" without spaces), and a UUID holds
	// none of LIKE's wildcards.
	res, err := db.exec(ctx, db.x, `UPDATE room_events SET type = ?, payload = ? WHERE room_id = ? AND type = ? AND payload LIKE ?`,
		newType, string(payload), roomID, typ, `%"id":"`+subject+`"%`)
	if err != nil {
		return 0, translate(err, "events")
	}
	n, err := res.RowsAffected()
	return int(n), translate(err, "events")
}

func (db *DB) EventsAfter(ctx context.Context, roomID string, after int64, limit int) ([]domain.Event, error) {
	rows, err := db.query(ctx, db.x, `SELECT room_id, seq, type, audience, payload, created_at FROM room_events
		WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`, roomID, after, limit)
	if err != nil {
		return nil, translate(err, "events")
	}
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		var e domain.Event
		var payload string
		if err := rows.Scan(&e.RoomID, &e.Seq, &e.Type, &e.Audience, &payload, &e.CreatedAt); err != nil {
			return nil, translate(err, "events")
		}
		e.Payload, e.CreatedAt = []byte(payload), e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, translate(rows.Err(), "events")
}

// DeleteEventsBefore deletes at most limit events created before cutoff, of any room, oldest
// first, through room_events_created; each call is one short statement (one write lock on
// SQLite), and the caller repeats it for more. The row's own key picks it (SQLite's rowid, a
// PostgreSQL tuple's ctid): no second lookup by (room_id, seq).
func (db *DB) DeleteEventsBefore(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	q := `DELETE FROM room_events WHERE rowid IN (SELECT rowid FROM room_events WHERE created_at < ? ORDER BY created_at LIMIT ?)`
	if db.dialect != SQLite {
		// = ANY(ARRAY(...)) is a TID scan; ctid IN (SELECT ...) would join the whole table.
		q = `DELETE FROM room_events WHERE ctid = ANY(ARRAY(SELECT ctid FROM room_events WHERE created_at < ? ORDER BY created_at LIMIT ?))`
	}
	res, err := db.exec(ctx, db.x, q, cutoff, limit)
	if err != nil {
		return 0, translate(err, "events")
	}
	n, err := res.RowsAffected()
	return int(n), translate(err, "events")
}
