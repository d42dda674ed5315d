package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

const chatColumns = `id, room_id, lecture_id, sender_identity, sender_name, client_id, from_host, text, created_at, deleted_at`

func scanChat(row rowScanner) (*domain.ChatMessage, error) {
	var m domain.ChatMessage
	var deleted sql.NullTime
	if err := row.Scan(&m.ID, &m.RoomID, &m.LectureID, &m.SenderIdentity, &m.SenderName, &m.ClientID, &m.FromHost, &m.Text, &m.CreatedAt, &deleted); err != nil {
		return nil, err
	}
	m.CreatedAt, m.DeletedAt = m.CreatedAt.UTC(), utcPtr(deleted)
	return &m, nil
}

func (db *DB) CreateChatMessage(ctx context.Context, m domain.ChatMessage) (*domain.ChatMessage, bool, error) {
	res, err := db.exec(ctx, db.x, `INSERT INTO chat_messages (`+chatColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
		ON CONFLICT (room_id, sender_identity, client_id) DO NOTHING`,
		m.ID, m.RoomID, m.LectureID, m.SenderIdentity, m.SenderName, m.ClientID, m.FromHost, m.Text, m.CreatedAt)
	created, err := affected(res, err, "chat message")
	if err != nil {
		return nil, false, err
	}
	if created {
		return &m, true, nil
	}
	got, err := scanChat(db.queryRow(ctx, db.x, `SELECT `+chatColumns+` FROM chat_messages
		WHERE room_id = ? AND sender_identity = ? AND client_id = ?`, m.RoomID, m.SenderIdentity, m.ClientID))
	return got, false, translate(err, "chat message")
}

// ChatMessages pages backwards by (created_at, id), then returns the page oldest first.
func (db *DB) ChatMessages(ctx context.Context, lectureID, before string, limit int) ([]domain.ChatMessage, error) {
	q := `SELECT ` + chatColumns + ` FROM chat_messages WHERE lecture_id = ? AND deleted_at IS NULL`
	args := []any{lectureID}
	if before != "" {
		q += ` AND (created_at, id) < (SELECT created_at, id FROM chat_messages WHERE lecture_id = ? AND id = ?)`
		args = append(args, lectureID, before)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	page, err := list(ctx, db, "chat messages", scanChat, q, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	slices.Reverse(page)
	return page, nil
}

func (db *DB) DeleteChatMessage(ctx context.Context, lectureID, id string, at time.Time, by string) (bool, error) {
	res, err := db.exec(ctx, db.x, `UPDATE chat_messages SET deleted_at = ?, deleted_by = ? WHERE lecture_id = ? AND id = ? AND deleted_at IS NULL`,
		at, by, lectureID, id)
	return affected(res, err, "chat message")
}

const fileColumns = `id, room_id, lecture_id, uploader_identity, uploader_name, file_key, name, size, content_type, sha256, created_at`

func scanFile(row rowScanner) (*domain.SharedFile, error) {
	var f domain.SharedFile
	if err := row.Scan(&f.ID, &f.RoomID, &f.LectureID, &f.UploaderIdentity, &f.UploaderName, &f.FileKey, &f.Name, &f.Size, &f.ContentType, &f.SHA256, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, nil
}

func (db *DB) CreateSharedFile(ctx context.Context, f domain.SharedFile) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO shared_files (`+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.RoomID, f.LectureID, f.UploaderIdentity, f.UploaderName, f.FileKey, f.Name, f.Size, f.ContentType, f.SHA256, f.CreatedAt)
	return translate(err, "file")
}

func (db *DB) SharedFile(ctx context.Context, lectureID, id string) (*domain.SharedFile, error) {
	f, err := scanFile(db.queryRow(ctx, db.x, `SELECT `+fileColumns+` FROM shared_files WHERE lecture_id = ? AND id = ?`, lectureID, id))
	return f, translate(err, "file")
}

func (db *DB) RoomFile(ctx context.Context, roomID, id string) (*domain.SharedFile, error) {
	f, err := scanFile(db.queryRow(ctx, db.x, `SELECT `+fileColumns+` FROM shared_files WHERE room_id = ? AND id = ?`, roomID, id))
	return f, translate(err, "file")
}

func (db *DB) SharedFiles(ctx context.Context, lectureID string) ([]domain.SharedFile, error) {
	return list(ctx, db, "files", scanFile, `SELECT `+fileColumns+` FROM shared_files WHERE lecture_id = ? ORDER BY created_at, id`, lectureID)
}

func (db *DB) DeleteSharedFile(ctx context.Context, lectureID, id string) (bool, error) {
	res, err := db.exec(ctx, db.x, `DELETE FROM shared_files WHERE lecture_id = ? AND id = ?`, lectureID, id)
	return affected(res, err, "file")
}

func (db *DB) FileKeysOf(ctx context.Context, roomID string) ([]string, error) {
	rows, err := db.query(ctx, db.x, `SELECT file_key FROM shared_files WHERE room_id = ?`, roomID)
	if err != nil {
		return nil, translate(err, "files")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, translate(err, "files")
		}
		out = append(out, k)
	}
	return out, translate(rows.Err(), "files")
}
