package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// summaryMaxAttempts bounds the retries of a lecture's summary job.
const summaryMaxAttempts = 8

// StartRoom opens the room's current lecture; the room's started_at and ended_at follow it.
func (db *DB) StartRoom(ctx context.Context, id, lectureID string, at time.Time) (bool, error) {
	var changed bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE rooms SET status = 'LIVE', started_at = ?, ended_at = NULL, updated_at = ?
			WHERE id = ? AND lecture_id = ? AND status <> 'LIVE'`, at, at, id, lectureID)
		if changed, err = affected(res, err, "room"); err != nil || !changed {
			return err
		}
		_, err = db.exec(ctx, tx, `UPDATE lectures SET status = 'LIVE', started_at = ?
			WHERE id = (SELECT lecture_id FROM rooms WHERE id = ?) AND status = 'CREATED'`, at, id)
		return err
	})
	return changed, translate(err, "room")
}

func (db *DB) EndRoom(ctx context.Context, id, lectureID string, at time.Time) (bool, error) {
	var changed bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var lecture string
		var number int
		err := db.queryRow(ctx, tx, `SELECT r.lecture_id, l.number FROM rooms r JOIN lectures l ON l.id = r.lecture_id
			WHERE r.id = ? AND r.lecture_id = ? AND r.status <> 'ENDED'`, id, lectureID).Scan(&lecture, &number)
		if err == sql.ErrNoRows {
			return nil // unknown, ended already, or another lecture
		}
		if err != nil {
			return err
		}
		next := uuid.NewString()
		res, err := db.exec(ctx, tx, `UPDATE rooms SET status = 'ENDED', ended_at = ?, updated_at = ?, lecture_id = ?
			WHERE id = ? AND status <> 'ENDED'`, at, at, next, id)
		if changed, err = affected(res, err, "room"); err != nil || !changed {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE lectures SET status = 'ENDED', ended_at = ? WHERE id = ?`, at, lecture); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO lectures (id, room_id, number, status) VALUES (?, ?, ?, 'CREATED')`, next, id, number+1); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE attendance SET left_at = ? WHERE lecture_id = ? AND left_at IS NULL AND joined_at IS NOT NULL`, at, lecture); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `DELETE FROM hand_raises WHERE room_id = ?`, id); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO lecture_artifacts (lecture_id, room_id, summary_status, created_at, updated_at)
			VALUES (?, ?, 'PENDING', ?, ?) ON CONFLICT DO NOTHING`, lecture, id, at, at); err != nil {
			return err
		}
		_, err = db.exec(ctx, tx, `INSERT INTO jobs (id, kind, room_id, lecture_id, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, '{}', 'QUEUED', 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			uuid.NewString(), domain.JobSummary, id, lecture, summaryMaxAttempts, at, at, at)
		return err
	})
	return changed, translate(err, "room")
}

func scanLecture(r rowScanner) (*domain.Lecture, error) {
	var l domain.Lecture
	var status string
	var started, ended sql.NullTime
	if err := r.Scan(&l.ID, &l.RoomID, &l.Number, &status, &started, &ended, &l.CallEpoch); err != nil {
		return nil, err
	}
	l.Status, l.StartedAt, l.EndedAt = domain.RoomStatus(status), utcPtr(started), utcPtr(ended)
	return &l, nil
}

func (db *DB) Lecture(ctx context.Context, id string) (*domain.Lecture, error) {
	l, err := scanLecture(db.queryRow(ctx, db.x, `SELECT id, room_id, number, status, started_at, ended_at, call_epoch FROM lectures WHERE id = ?`, id))
	return l, translate(err, "lecture")
}

func (db *DB) Lectures(ctx context.Context, roomID string) ([]domain.Lecture, error) {
	return list(ctx, db, "lectures", scanLecture, `SELECT id, room_id, number, status, started_at, ended_at, call_epoch FROM lectures
		WHERE room_id = ? AND started_at IS NOT NULL ORDER BY number DESC`, roomID)
}

// RotateCall moves the lecture's call epoch on; on PostgreSQL the lecture's row stays locked
// until the transaction ends, so two bans at once get two epochs.
func (db *DB) RotateCall(ctx context.Context, lectureID string) (int, error) {
	var epoch int
	err := db.queryRow(ctx, db.x, `UPDATE lectures SET call_epoch = call_epoch + 1 WHERE id = ? RETURNING call_epoch`, lectureID).Scan(&epoch)
	return epoch, translate(err, "lecture")
}

func (db *DB) LiveRoomIDs(ctx context.Context) ([]string, error) {
	return list(ctx, db, "rooms", func(r rowScanner) (*string, error) {
		var id string
		return &id, r.Scan(&id)
	}, `SELECT id FROM rooms WHERE status = 'LIVE' ORDER BY id`)
}

// RecordAttendance upserts one connection. CASE rather than LEAST/MIN keeps it one query for
// both databases, and treats an unknown time as "no information".
func (db *DB) RecordAttendance(ctx context.Context, a domain.Attendance) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO attendance (room_id, lecture_id, sid, identity, name, joined_at, left_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (room_id, sid) DO UPDATE SET
		  identity = excluded.identity,
		  name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE attendance.name END,
		  joined_at = CASE
		    WHEN attendance.joined_at IS NULL THEN excluded.joined_at
		    WHEN excluded.joined_at IS NULL THEN attendance.joined_at
		    WHEN excluded.joined_at < attendance.joined_at THEN excluded.joined_at
		    ELSE attendance.joined_at END,
		  left_at = CASE
		    WHEN attendance.left_at IS NULL THEN excluded.left_at
		    WHEN excluded.left_at IS NULL THEN attendance.left_at
		    WHEN excluded.left_at > attendance.left_at THEN excluded.left_at
		    ELSE attendance.left_at END`,
		a.RoomID, a.LectureID, a.SID, a.Identity, a.Name, a.JoinedAt, a.LeftAt)
	return translate(err, "attendance")
}

// AttendanceOf lists a lecture's connections, earliest join first.
func (db *DB) AttendanceOf(ctx context.Context, lectureID string) ([]domain.Attendance, error) {
	rows, err := db.query(ctx, db.x, `SELECT room_id, lecture_id, sid, identity, name, joined_at, left_at FROM attendance
		WHERE lecture_id = ? ORDER BY joined_at, sid`, lectureID)
	if err != nil {
		return nil, translate(err, "attendance")
	}
	defer rows.Close()
	var out []domain.Attendance
	for rows.Next() {
		var a domain.Attendance
		var joined, left sql.NullTime
		if err := rows.Scan(&a.RoomID, &a.LectureID, &a.SID, &a.Identity, &a.Name, &joined, &left); err != nil {
			return nil, translate(err, "attendance")
		}
		a.JoinedAt, a.LeftAt = utcPtr(joined), utcPtr(left)
		out = append(out, a)
	}
	return out, translate(rows.Err(), "attendance")
}

func (db *DB) MarkWebhook(ctx context.Context, id, event, room string, at time.Time) (bool, error) {
	res, err := db.exec(ctx, db.x, `INSERT INTO webhook_events (id, event, room_name, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		id, event, room, at)
	return affected(res, err, "webhook event")
}

func (db *DB) WebhookSeen(ctx context.Context, id string) (bool, error) {
	var n int
	err := db.queryRow(ctx, db.x, `SELECT COUNT(*) FROM webhook_events WHERE id = ?`, id).Scan(&n)
	return n > 0, translate(err, "webhook event")
}

// affected reports whether the statement changed a row.
func affected(res sql.Result, err error, what string) (bool, error) {
	if err != nil {
		return false, translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, translate(err, what)
	}
	return n > 0, nil
}

func (db *DB) JobsOf(ctx context.Context, roomID string) ([]domain.Job, error) {
	rows, err := db.query(ctx, db.x, `SELECT id, kind, room_id, COALESCE(lecture_id, ''), status, attempts, max_attempts, run_at, last_error FROM jobs
		WHERE room_id = ? ORDER BY created_at, id`, roomID)
	if err != nil {
		return nil, translate(err, "jobs")
	}
	defer rows.Close()
	var out []domain.Job
	for rows.Next() {
		var j domain.Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.RoomID, &j.LectureID, &j.Status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError); err != nil {
			return nil, translate(err, "jobs")
		}
		j.RunAt = j.RunAt.UTC()
		out = append(out, j)
	}
	return out, translate(rows.Err(), "jobs")
}
