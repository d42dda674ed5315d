package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

func (db *DB) AppendTranscript(ctx context.Context, s domain.TranscriptSegment) (bool, error) {
	res, err := db.exec(ctx, db.x, `INSERT INTO transcript_segments (id, room_id, lecture_id, segment_id, speaker_identity, speaker_name, track_id,
		start_ms, end_ms, text, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.ID, s.RoomID, s.LectureID, s.SegmentID, s.SpeakerIdentity, s.SpeakerName, s.TrackID, s.StartMs, s.EndMs, s.Text, s.Language, s.CreatedAt)
	return affected(res, err, "transcript segment")
}

func (db *DB) Transcript(ctx context.Context, lectureID string) ([]domain.TranscriptSegment, error) {
	rows, err := db.query(ctx, db.x, `SELECT id, room_id, lecture_id, segment_id, speaker_identity, speaker_name, track_id, start_ms, end_ms, text,
		language, created_at FROM transcript_segments WHERE lecture_id = ? ORDER BY start_ms, created_at, id`, lectureID)
	if err != nil {
		return nil, translate(err, "transcript")
	}
	defer rows.Close()
	out := []domain.TranscriptSegment{}
	for rows.Next() {
		var s domain.TranscriptSegment
		if err := rows.Scan(&s.ID, &s.RoomID, &s.LectureID, &s.SegmentID, &s.SpeakerIdentity, &s.SpeakerName, &s.TrackID, &s.StartMs, &s.EndMs,
			&s.Text, &s.Language, &s.CreatedAt); err != nil {
			return nil, translate(err, "transcript")
		}
		s.CreatedAt = s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, translate(rows.Err(), "transcript")
}

func (db *DB) Artifact(ctx context.Context, lectureID string) (*domain.LectureArtifact, error) {
	var a domain.LectureArtifact
	err := db.queryRow(ctx, db.x, `SELECT room_id, lecture_id, summary_status, summary_kind, summary_markdown, summary_error, language, updated_at
		FROM lecture_artifacts WHERE lecture_id = ?`, lectureID).
		Scan(&a.RoomID, &a.LectureID, &a.SummaryStatus, &a.SummaryKind, &a.SummaryMarkdown, &a.SummaryError, &a.Language, &a.UpdatedAt)
	if err != nil {
		return nil, translate(err, "lecture")
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return &a, nil
}

func (db *DB) SetSummary(ctx context.Context, a domain.LectureArtifact) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO lecture_artifacts (lecture_id, room_id, summary_status, summary_kind, summary_markdown, summary_error,
		language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (lecture_id) DO UPDATE SET summary_status = excluded.summary_status, summary_kind = excluded.summary_kind,
		  summary_markdown = excluded.summary_markdown, summary_error = excluded.summary_error, language = excluded.language,
		  updated_at = excluded.updated_at`,
		a.LectureID, a.RoomID, a.SummaryStatus, a.SummaryKind, a.SummaryMarkdown, a.SummaryError, a.Language, a.UpdatedAt, a.UpdatedAt)
	return translate(err, "lecture")
}

const jobColumns = `id, kind, room_id, lecture_id, status, attempts, max_attempts, run_at, last_error`

// ClaimJob picks the oldest due job and leases it in one statement. The conditions are repeated
// outside the subquery: on PostgreSQL two claimers may pick the same row, and the second one's
// UPDATE, re-checked after the first commits, then matches nothing (it tries again).
func (db *DB) ClaimJob(ctx context.Context, owner string, now, leaseUntil time.Time) (*domain.Job, error) {
	const due = `((status = 'QUEUED' AND run_at <= ?) OR (status = 'RUNNING' AND lease_until < ?))`
	for range 5 {
		var j domain.Job
		var room, lecture sql.NullString
		err := db.queryRow(ctx, db.x, `UPDATE jobs SET status = 'RUNNING', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id = (SELECT id FROM jobs WHERE `+due+` ORDER BY run_at, id LIMIT 1) AND `+due+`
			RETURNING `+jobColumns, owner, leaseUntil, now, now, now, now, now).
			Scan(&j.ID, &j.Kind, &room, &lecture, &j.Status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError)
		if err == sql.ErrNoRows {
			var waiting int
			if err := db.queryRow(ctx, db.x, `SELECT COUNT(*) FROM jobs WHERE `+due, now, now).Scan(&waiting); err != nil {
				return nil, translate(err, "jobs")
			}
			if waiting == 0 {
				return nil, translate(sql.ErrNoRows, "job")
			}
			continue // lost a race for the row; another is due
		}
		if err != nil {
			return nil, translate(err, "jobs")
		}
		j.RoomID, j.LectureID, j.RunAt = room.String, lecture.String, j.RunAt.UTC()
		return &j, nil
	}
	return nil, translate(sql.ErrNoRows, "job")
}

func (db *DB) ExtendLease(ctx context.Context, id, owner string, until time.Time) error {
	res, err := db.exec(ctx, db.x, `UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'`, until, id, owner)
	return mustAffect(res, err, "job lease")
}

func (db *DB) FinishJob(ctx context.Context, id, owner string, at time.Time) error {
	res, err := db.exec(ctx, db.x, `UPDATE jobs SET status = 'DONE', lease_until = NULL, last_error = '', updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'`, at, id, owner)
	return mustAffect(res, err, "job lease")
}

func (db *DB) RetryJob(ctx context.Context, id, owner string, runAt time.Time, lastError string) error {
	res, err := db.exec(ctx, db.x, `UPDATE jobs SET status = 'QUEUED', run_at = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'`, runAt, lastError, id, owner)
	return mustAffect(res, err, "job lease")
}

func (db *DB) FailJob(ctx context.Context, id, owner string, at time.Time, lastError string) error {
	res, err := db.exec(ctx, db.x, `UPDATE jobs SET status = 'FAILED', lease_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'`, lastError, at, id, owner)
	return mustAffect(res, err, "job lease")
}

func (db *DB) SetDriveToken(ctx context.Context, userID, encryptedToken, scope string, at time.Time) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO drive_connections (user_id, refresh_token_encrypted, scope, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET refresh_token_encrypted = excluded.refresh_token_encrypted,
		scope = excluded.scope, updated_at = excluded.updated_at`, userID, encryptedToken, scope, at, at)
	return translate(err, "drive connection")
}

func (db *DB) DriveToken(ctx context.Context, userID string) (string, error) {
	var tok string
	err := db.queryRow(ctx, db.x, `SELECT refresh_token_encrypted FROM drive_connections WHERE user_id = ?`, userID).Scan(&tok)
	return tok, translate(err, "drive connection")
}

func (db *DB) SetShareToken(ctx context.Context, lectureID, tokenHash string, at time.Time) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO lecture_artifacts (lecture_id, room_id, summary_status, share_token_hash, created_at, updated_at)
		SELECT id, room_id, 'PENDING', ?, ?, ? FROM lectures WHERE id = ?
		ON CONFLICT (lecture_id) DO UPDATE SET share_token_hash = excluded.share_token_hash,
		updated_at = excluded.updated_at`, tokenHash, at, at, lectureID)
	return translate(err, "lecture")
}

func (db *DB) ShareToken(ctx context.Context, lectureID string) (string, error) {
	var h string
	err := db.queryRow(ctx, db.x, `SELECT share_token_hash FROM lecture_artifacts WHERE lecture_id = ?`, lectureID).Scan(&h)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return h, translate(err, "lecture")
}
