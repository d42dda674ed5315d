package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

const lobbyColumns = `id, room_id, lecture_id, session_id, device_id, name, fingerprint, ip, status, created_at, decided_at, decided_by`

func scanLobbyEntry(row rowScanner) (*domain.LobbyEntry, error) {
	var e domain.LobbyEntry
	var status string
	var decided sql.NullTime
	var by sql.NullString
	if err := row.Scan(&e.ID, &e.RoomID, &e.LectureID, &e.SessionID, &e.DeviceID, &e.Name, &e.Fingerprint, &e.IP, &status, &e.CreatedAt, &decided, &by); err != nil {
		return nil, err
	}
	e.Status, e.CreatedAt, e.DecidedAt, e.DecidedBy = domain.LobbyStatus(status), e.CreatedAt.UTC(), utcPtr(decided), by.String
	return &e, nil
}

func (db *DB) CreateLobbyEntry(ctx context.Context, e domain.LobbyEntry) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO lobby_entries (`+lobbyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.RoomID, e.LectureID, e.SessionID, e.DeviceID, e.Name, e.Fingerprint, e.IP, string(e.Status), e.CreatedAt, e.DecidedAt, nullString(e.DecidedBy))
	return translate(err, "lobby entry")
}

func (db *DB) LobbyEntry(ctx context.Context, id string) (*domain.LobbyEntry, error) {
	e, err := scanLobbyEntry(db.queryRow(ctx, db.x, `SELECT `+lobbyColumns+` FROM lobby_entries WHERE id = ?`, id))
	return e, translate(err, "lobby entry")
}

func (db *DB) LobbyEntries(ctx context.Context, lectureID string, status domain.LobbyStatus) ([]domain.LobbyEntry, error) {
	return list(ctx, db, "lobby entries", scanLobbyEntry, `SELECT `+lobbyColumns+` FROM lobby_entries
		WHERE lecture_id = ? AND status = ? ORDER BY created_at, id`, lectureID, string(status))
}

func (db *DB) LatestLobbyEntry(ctx context.Context, lectureID, sessionID string) (*domain.LobbyEntry, error) {
	e, err := scanLobbyEntry(db.queryRow(ctx, db.x, `SELECT `+lobbyColumns+` FROM lobby_entries
		WHERE lecture_id = ? AND session_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`, lectureID, sessionID))
	return e, translate(err, "lobby entry")
}

func (db *DB) DecideLobbyEntry(ctx context.Context, id string, status domain.LobbyStatus, by string, at time.Time) (bool, error) {
	res, err := db.exec(ctx, db.x, `UPDATE lobby_entries SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'PENDING'`,
		string(status), at, by, id)
	return affected(res, err, "lobby entry")
}

func (db *DB) RevokeApprovals(ctx context.Context, lectureID, sessionID string, at time.Time) error {
	_, err := db.exec(ctx, db.x, `UPDATE lobby_entries SET status = 'REVOKED', decided_at = ? WHERE lecture_id = ? AND session_id = ? AND status = 'APPROVED'`,
		at, lectureID, sessionID)
	return translate(err, "lobby entries")
}

const admissionColumns = `id, room_id, lecture_id, identity, user_id, name, kind, fingerprint, device_id, lobby_entry_id, admitted_at, revoked_at, can_publish`

func scanAdmission(row rowScanner) (*domain.Admission, error) {
	var a domain.Admission
	var user, entry sql.NullString
	var revoked sql.NullTime
	if err := row.Scan(&a.ID, &a.RoomID, &a.LectureID, &a.Identity, &user, &a.Name, &a.Kind, &a.Fingerprint, &a.DeviceID, &entry, &a.AdmittedAt, &revoked, &a.CanPublish); err != nil {
		return nil, err
	}
	a.UserID, a.LobbyEntryID, a.AdmittedAt, a.RevokedAt = user.String, entry.String, a.AdmittedAt.UTC(), utcPtr(revoked)
	return &a, nil
}

// Admit upserts on (lecture, identity): a renewed admission clears the revocation, binds the new
// approval and gives the right to publish back (the host decided afresh).
func (db *DB) Admit(ctx context.Context, a domain.Admission) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO participant_history (`+admissionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, TRUE)
		ON CONFLICT (lecture_id, identity) DO UPDATE SET name = excluded.name, kind = excluded.kind, user_id = excluded.user_id,
		  fingerprint = excluded.fingerprint, device_id = excluded.device_id, lobby_entry_id = excluded.lobby_entry_id, admitted_at = excluded.admitted_at,
		  revoked_at = NULL, can_publish = TRUE`,
		a.ID, a.RoomID, a.LectureID, a.Identity, nullString(a.UserID), a.Name, a.Kind, a.Fingerprint, a.DeviceID, nullString(a.LobbyEntryID), a.AdmittedAt)
	return translate(err, "admission")
}

func (db *DB) Admission(ctx context.Context, lectureID, identity string) (*domain.Admission, error) {
	a, err := scanAdmission(db.queryRow(ctx, db.x, `SELECT `+admissionColumns+` FROM participant_history WHERE lecture_id = ? AND identity = ?`, lectureID, identity))
	return a, translate(err, "admission")
}

func (db *DB) Admissions(ctx context.Context, lectureID string) ([]domain.Admission, error) {
	return list(ctx, db, "admissions", scanAdmission, `SELECT `+admissionColumns+` FROM participant_history
		WHERE lecture_id = ? AND revoked_at IS NULL ORDER BY admitted_at, id`, lectureID)
}

func (db *DB) SetCanPublish(ctx context.Context, lectureID, identity string, can bool) (bool, error) {
	res, err := db.exec(ctx, db.x, `UPDATE participant_history SET can_publish = ? WHERE lecture_id = ? AND identity = ? AND revoked_at IS NULL`,
		can, lectureID, identity)
	return affected(res, err, "admission")
}

func (db *DB) RevokeAdmission(ctx context.Context, lectureID, identity string, at time.Time) (bool, error) {
	res, err := db.exec(ctx, db.x, `UPDATE participant_history SET revoked_at = ? WHERE lecture_id = ? AND identity = ? AND revoked_at IS NULL`,
		at, lectureID, identity)
	return affected(res, err, "admission")
}

func (db *DB) ConnectedCount(ctx context.Context, lectureID string) (int, error) {
	var n int
	err := db.queryRow(ctx, db.x, `SELECT COUNT(DISTINCT identity) FROM attendance WHERE lecture_id = ? AND joined_at IS NOT NULL AND left_at IS NULL`,
		lectureID).Scan(&n)
	return n, translate(err, "attendance")
}

func (db *DB) CreateBan(ctx context.Context, b domain.Ban) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO bans (id, room_id, identity, session_id, device_id, fingerprint, ip, name, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.RoomID, b.Identity, b.SessionID, b.DeviceID, b.Fingerprint, b.IP, b.Name, b.CreatedBy, b.CreatedAt)
	return translate(err, "ban")
}

// ActiveBan matches on each non-empty key; an empty key never matches an empty column.
func (db *DB) ActiveBan(ctx context.Context, roomID string, k domain.BanKeys) (*domain.Ban, error) {
	var b domain.Ban
	err := db.queryRow(ctx, db.x, `SELECT id, room_id, identity, session_id, device_id, fingerprint, ip, name, created_by, created_at FROM bans
		WHERE room_id = ? AND lifted_at IS NULL AND (
		  (? <> '' AND session_id = ?) OR (? <> '' AND identity = ?) OR (? <> '' AND device_id = ?)
		  OR (? <> '' AND fingerprint = ?) OR (? <> '' AND ip = ?))
		ORDER BY created_at LIMIT 1`,
		roomID, k.SessionID, k.SessionID, k.SessionID, k.SessionID, k.DeviceID, k.DeviceID, k.Fingerprint, k.Fingerprint, k.IP, k.IP).
		Scan(&b.ID, &b.RoomID, &b.Identity, &b.SessionID, &b.DeviceID, &b.Fingerprint, &b.IP, &b.Name, &b.CreatedBy, &b.CreatedAt)
	if err != nil {
		return nil, translate(err, "ban")
	}
	b.CreatedAt = b.CreatedAt.UTC()
	return &b, nil
}

func (db *DB) LiftBans(ctx context.Context, roomID, identity string, at time.Time) (int, error) {
	res, err := db.exec(ctx, db.x, `UPDATE bans SET lifted_at = ? WHERE room_id = ? AND identity = ? AND lifted_at IS NULL`, at, roomID, identity)
	if err != nil {
		return 0, translate(err, "bans")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (db *DB) RaiseHand(ctx context.Context, h domain.HandRaise) (bool, error) {
	res, err := db.exec(ctx, db.x, `INSERT INTO hand_raises (room_id, identity, name, raised_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		h.RoomID, h.Identity, h.Name, h.RaisedAt)
	return affected(res, err, "hand")
}

func (db *DB) LowerHand(ctx context.Context, roomID, identity string) (bool, error) {
	res, err := db.exec(ctx, db.x, `DELETE FROM hand_raises WHERE room_id = ? AND identity = ?`, roomID, identity)
	return affected(res, err, "hand")
}

func (db *DB) Hands(ctx context.Context, roomID string) ([]domain.HandRaise, error) {
	rows, err := db.query(ctx, db.x, `SELECT room_id, identity, name, raised_at FROM hand_raises WHERE room_id = ? ORDER BY raised_at, identity`, roomID)
	if err != nil {
		return nil, translate(err, "hands")
	}
	defer rows.Close()
	out := []domain.HandRaise{}
	for rows.Next() {
		var h domain.HandRaise
		if err := rows.Scan(&h.RoomID, &h.Identity, &h.Name, &h.RaisedAt); err != nil {
			return nil, translate(err, "hands")
		}
		h.RaisedAt = h.RaisedAt.UTC()
		out = append(out, h)
	}
	return out, translate(rows.Err(), "hands")
}

func (db *DB) AppendModeration(ctx context.Context, m domain.ModerationEntry) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO moderation_log (id, room_id, actor_id, actor_name, action, target_identity, target_name, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.RoomID, m.ActorID, m.ActorName, m.Action, m.TargetIdentity, m.TargetName, m.Detail, m.CreatedAt)
	return translate(err, "moderation log")
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
