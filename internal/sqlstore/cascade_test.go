package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// Deleting a room deletes every row of the room, in every table that belongs to a room.
func TestDeleteRoomCascades(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		raw, q := sqlstore.RawSQL(db)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		keep, gone := newRoom(u.ID, "aaa-aaaa-aaa"), newRoom(u.ID, "bbb-bbbb-bbb")
		if err := db.CreateRoom(ctx, keep); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateRoom(ctx, gone); err != nil {
			t.Fatal(err)
		}
		inserts := []string{
			`INSERT INTO lectures (id, room_id, number, status) VALUES (?, ?, 2, 'CREATED')`,
			`INSERT INTO room_events (room_id, seq, type, payload, created_at) VALUES (?, 1, 'chat', '{}', ?)`,
			`INSERT INTO lobby_entries (id, room_id, lecture_id, session_id, name, fingerprint, status, created_at) VALUES (?, ?, ?, 's', 'n', 'f', 'PENDING', ?)`,
			`INSERT INTO participant_history (id, room_id, lecture_id, identity, name, kind, admitted_at) VALUES (?, ?, ?, 's', 'n', 'GUEST', ?)`,
			`INSERT INTO attendance (room_id, lecture_id, sid, identity, name, joined_at) VALUES (?, ?, ?, 's', 'n', ?)`,
			`INSERT INTO bans (id, room_id, identity, created_by, created_at) VALUES (?, ?, 's', 'u', ?)`,
			`INSERT INTO hand_raises (room_id, identity, name, raised_at) VALUES (?, ?, 'n', ?)`,
			`INSERT INTO chat_messages (id, room_id, lecture_id, sender_identity, sender_name, client_id, text, created_at) VALUES (?, ?, ?, 's', 'n', 'c', 't', ?)`,
			`INSERT INTO shared_files (id, room_id, lecture_id, uploader_identity, uploader_name, file_key, name, size, content_type, sha256, created_at) VALUES (?, ?, ?, 's', 'n', ?, 'f.pdf', 1, 'application/pdf', 'x', ?)`,
			`INSERT INTO transcript_segments (id, room_id, lecture_id, segment_id, speaker_identity, speaker_name, track_id, start_ms, end_ms, text, created_at) VALUES (?, ?, ?, ?, 's', 'n', 'TR', 0, 1, 't', ?)`,
			`INSERT INTO lecture_artifacts (room_id, lecture_id, summary_status, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, ?)`,
			`INSERT INTO moderation_log (id, room_id, actor_id, actor_name, action, created_at) VALUES (?, ?, 'u', 'n', 'kick', ?)`,
			`INSERT INTO jobs (id, kind, room_id, lecture_id, status, max_attempts, run_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'QUEUED', 5, ?, ?, ?)`,
		}
		tables := []string{"lectures", "room_events", "lobby_entries", "participant_history", "attendance", "bans", "hand_raises",
			"chat_messages", "shared_files", "transcript_segments", "lecture_artifacts", "moderation_log", "jobs"}
		for _, r := range []domain.Room{keep, gone} {
			// A second lecture of the room: lectures counts the first (made with the room) too.
			room, lec := r.ID, uuid.NewString()
			args := [][]any{
				{lec, room},
				{room, t0},
				{uuid.NewString(), room, lec, t0},
				{uuid.NewString(), room, lec, t0},
				{room, lec, uuid.NewString(), t0},
				{uuid.NewString(), room, t0},
				{room, "s", t0},
				{uuid.NewString(), room, lec, t0},
				{uuid.NewString(), room, lec, uuid.NewString(), t0},
				{uuid.NewString(), room, lec, uuid.NewString(), t0},
				{room, lec, t0, t0},
				{uuid.NewString(), room, t0},
				{uuid.NewString(), "summary", room, lec, t0, t0, t0},
			}
			for i, ins := range inserts {
				if _, err := raw.ExecContext(ctx, q(ins), args[i]...); err != nil {
					t.Fatalf("%s: %v", tables[i], err)
				}
			}
		}
		if err := db.DeleteRoom(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			var left, kept int
			raw.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM `+table+` WHERE room_id = ?`), gone.ID).Scan(&left)
			raw.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM `+table+` WHERE room_id = ?`), keep.ID).Scan(&kept)
			want := 1
			if table == "lectures" {
				want = 2
			}
			if left != 0 || kept != want {
				t.Errorf("%s: %d rows of the deleted room left, %d of the other room kept; want 0 and %d", table, left, kept, want)
			}
		}
	})
}
