package sqlstore_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// TestMigrateRoomsToLectures makes a database as the release before lectures left it (its
// migrations only, and rows written in its schema), migrates it, and checks that every row
// of a room landed in the room's one lecture, that the room can be started again, and that
// the new lecture starts with an empty door while the ban still holds.
func TestMigrateRoomsToLectures(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.OpenEmpty(t, d)
		quiet := slog.New(slog.DiscardHandler)
		if err := db.MigrateTo(ctx, quiet, 3); err != nil {
			t.Fatal(err)
		}
		raw, q := sqlstore.RawSQL(db)
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := raw.ExecContext(ctx, q(query), args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		owner := uuid.NewString()
		exec(`INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at) VALUES (?, 'a@x.org', 'A', 'HOST', 'h', ?, ?)`, owner, t0, t0)
		ended, live, fresh := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for _, r := range []struct {
			id, code, status string
			started, ended   *time.Time
		}{{ended, "aaa-aaaa-aaa", "ENDED", at(1), at(60)}, {live, "bbb-bbbb-bbb", "LIVE", at(2), nil}, {fresh, "ccc-cccc-ccc", "CREATED", nil, nil}} {
			exec(`INSERT INTO rooms (id, code, owner_id, name, lobby_enabled, pin_hash, chat_enabled, files_enabled, max_participants,
				locked, status, last_event_seq, created_at, updated_at, started_at, ended_at)
				VALUES (?, ?, ?, 'Physics', TRUE, '', TRUE, TRUE, 50, FALSE, ?, 1, ?, ?, ?, ?)`, r.id, r.code, owner, r.status, t0, t0, r.started, r.ended)
			exec(`INSERT INTO room_events (room_id, seq, type, payload, created_at) VALUES (?, 1, 'chat', '{}', ?)`, r.id, t0)
			entry := uuid.NewString()
			exec(`INSERT INTO lobby_entries (id, room_id, session_id, name, fingerprint, status, created_at) VALUES (?, ?, 'guest', 'Вася', 'fp-guest', ?, ?)`,
				entry, r.id, map[bool]string{true: "PENDING", false: "APPROVED"}[r.status == "CREATED"], t0)
			exec(`INSERT INTO bans (id, room_id, identity, session_id, fingerprint, created_by, created_at) VALUES (?, ?, 'rowdy', 'rowdy', 'fp-rowdy', ?, ?)`,
				uuid.NewString(), r.id, owner, t0)
			exec(`INSERT INTO hand_raises (room_id, identity, name, raised_at) VALUES (?, 'guest', 'Вася', ?)`, r.id, t0)
			if r.status == "CREATED" {
				continue
			}
			exec(`INSERT INTO participant_history (id, room_id, identity, name, kind, fingerprint, lobby_entry_id, admitted_at, can_publish)
				VALUES (?, ?, 'guest', 'Вася', 'GUEST', 'fp-guest', ?, ?, FALSE)`, uuid.NewString(), r.id, entry, t0)
			exec(`INSERT INTO attendance (room_id, sid, identity, name, joined_at, left_at) VALUES (?, ?, 'guest', 'Вася', ?, ?)`, r.id, "PA_"+r.code, at(5), at(50))
			exec(`INSERT INTO chat_messages (id, room_id, sender_identity, sender_name, client_id, text, created_at) VALUES (?, ?, 'guest', 'Вася', 'c1', 'Привет', ?)`,
				uuid.NewString(), r.id, at(6))
			exec(`INSERT INTO shared_files (id, room_id, uploader_identity, uploader_name, file_key, name, size, content_type, sha256, created_at)
				VALUES (?, ?, 'guest', 'Вася', ?, 'notes.pdf', 3, 'application/pdf', 'x', ?)`, uuid.NewString(), r.id, "k-"+r.code, at(7))
			exec(`INSERT INTO transcript_segments (id, room_id, segment_id, speaker_identity, speaker_name, track_id, start_ms, end_ms, text, created_at)
				VALUES (?, ?, 'SG_1', ?, 'A', 'TR_1', 0, 900, 'Сегодня о волнах', ?)`, uuid.NewString(), r.id, owner, at(8))
			if r.status == "ENDED" {
				// The owner wrote too: its message gets the host badge (migration 5).
				exec(`INSERT INTO chat_messages (id, room_id, sender_identity, sender_name, client_id, text, created_at) VALUES (?, ?, ?, 'A', 'c2', 'Здравствуйте', ?)`,
					uuid.NewString(), r.id, owner, at(9))
				exec(`INSERT INTO lecture_artifacts (room_id, summary_status, summary_kind, summary_markdown, share_token_hash, created_at, updated_at)
					VALUES (?, 'READY', 'extractive', '# Волны', 'share-hash', ?, ?)`, r.id, t0, t0)
				exec(`INSERT INTO jobs (id, kind, room_id, status, max_attempts, run_at, created_at, updated_at) VALUES (?, 'summary', ?, 'DONE', 8, ?, ?, ?)`,
					uuid.NewString(), r.id, t0, t0, t0)
			}
			exec(`INSERT INTO agent_rooms (room_id, holder, claimed_at, lease_until) VALUES (?, 'agent-1', ?, ?)`, r.id, t0, t0)
		}
		exec(`INSERT INTO jobs (id, kind, status, max_attempts, run_at, created_at, updated_at) VALUES (?, 'cleanup', 'QUEUED', 3, ?, ?, ?)`,
			uuid.NewString(), t0, t0, t0)

		if err := db.Migrate(ctx, quiet); err != nil {
			t.Fatalf("migrate: %v", err)
		}

		// Every row of a room is in the room's lecture, which kept the room's id.
		want := map[string]int{"lobby_entries": 3, "participant_history": 2, "attendance": 2, "chat_messages": 3, "shared_files": 2,
			"transcript_segments": 2, "lecture_artifacts": 1, "jobs": 1}
		for table, n := range want {
			var landed, astray int
			raw.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM `+table+` WHERE lecture_id = room_id`)).Scan(&landed)
			raw.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM `+table+` WHERE room_id IS NOT NULL AND (lecture_id IS NULL OR lecture_id <> room_id)`)).Scan(&astray)
			if landed != n || astray != 0 {
				t.Errorf("%s: %d rows in their room's lecture, %d elsewhere; want %d and 0", table, landed, astray, n)
			}
		}
		var roomless int
		raw.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM jobs WHERE room_id IS NULL AND lecture_id IS NULL`)).Scan(&roomless)
		if roomless != 1 {
			t.Errorf("a job of no room: %d left; want 1", roomless)
		}

		for _, c := range []struct {
			room      string
			status    domain.RoomStatus
			lectures  int    // started ones
			current   string // "" for a new id
			lectureSt domain.RoomStatus
		}{{ended, domain.RoomEnded, 1, "", domain.RoomCreated}, {live, domain.RoomLive, 1, live, domain.RoomLive}, {fresh, domain.RoomCreated, 0, fresh, domain.RoomCreated}} {
			r, err := db.Room(ctx, c.room)
			if err != nil || r.Status != c.status {
				t.Fatalf("room %s = %+v, %v", c.room, r, err)
			}
			if c.current != "" && r.LectureID != c.current || c.current == "" && (r.LectureID == "" || r.LectureID == c.room) {
				t.Errorf("room %s: current lecture %q", c.status, r.LectureID)
			}
			cur, err := db.Lecture(ctx, r.LectureID)
			if err != nil || cur.RoomID != c.room || cur.Status != c.lectureSt {
				t.Errorf("room %s: current lecture = %+v, %v; want %s", c.status, cur, err, c.lectureSt)
			}
			if ls, err := db.Lectures(ctx, c.room); err != nil || len(ls) != c.lectures {
				t.Errorf("room %s: lectures = %+v, %v; want %d", c.status, ls, err, c.lectures)
			}
			if _, err := db.ActiveBan(ctx, c.room, domain.BanKeys{SessionID: "rowdy"}); err != nil {
				t.Errorf("room %s: the ban is gone: %v", c.status, err)
			}
		}
		first, _ := db.Lecture(ctx, ended)
		if first.Number != 1 || first.Status != domain.RoomEnded || !first.StartedAt.Equal(*at(1)) || !first.EndedAt.Equal(*at(60)) {
			t.Errorf("the ended room's lecture = %+v", first)
		}

		// What the lecture page reads, by the lecture's id (the old room id).
		if tr, _ := db.Transcript(ctx, ended); len(tr) != 1 || tr[0].Text != "Сегодня о волнах" || tr[0].LectureID != ended {
			t.Errorf("transcript = %+v", tr)
		}
		if chat, _ := db.ChatMessages(ctx, ended, "", 10); len(chat) != 2 || chat[0].Text != "Привет" || chat[0].FromHost || !chat[1].FromHost {
			t.Errorf("chat = %+v", chat)
		}
		if files, _ := db.SharedFiles(ctx, ended); len(files) != 1 || files[0].Name != "notes.pdf" {
			t.Errorf("files = %+v", files)
		}
		if att, _ := db.AttendanceOf(ctx, ended); len(att) != 1 || !att[0].LeftAt.Equal(*at(50)) {
			t.Errorf("attendance = %+v", att)
		}
		if a, err := db.Artifact(ctx, ended); err != nil || a.SummaryMarkdown != "# Волны" || a.RoomID != ended {
			t.Errorf("artifact = %+v, %v", a, err)
		}
		if h, _ := db.ShareToken(ctx, ended); h != "share-hash" {
			t.Errorf("share token = %q", h)
		}
		if a, err := db.Admission(ctx, live, "guest"); err != nil || !a.Active() || a.CanPublish {
			t.Errorf("the live room's admission = %+v, %v", a, err)
		}
		if e, err := db.LatestLobbyEntry(ctx, fresh, "guest"); err != nil || e.Status != domain.LobbyPending {
			t.Errorf("the knock on the room never started = %+v, %v; want it still waiting", e, err)
		}
		// A hand raised in an ended lecture is down; in the live one it stays up.
		if h, _ := db.Hands(ctx, ended); len(h) != 0 {
			t.Errorf("hands of the ended room = %+v", h)
		}
		if h, _ := db.Hands(ctx, live); len(h) != 1 {
			t.Errorf("hands of the live room = %+v", h)
		}
		// The lease table is per lecture now; the live call's lease is simply taken again.
		if ok, err := db.ClaimAgentRoom(ctx, live, "agent-2", t0, t0.Add(time.Minute)); !ok || err != nil {
			t.Errorf("claim the live lecture = %v, %v", ok, err)
		}

		// The ended room starts again: its next lecture, where last week's guest has no place.
		before, _ := db.Room(ctx, ended)
		if ok, err := db.StartRoom(ctx, ended, before.LectureID, *at(100)); !ok || err != nil {
			t.Fatalf("start the migrated ended room = %v, %v", ok, err)
		}
		r, _ := db.Room(ctx, ended)
		if r.Status != domain.RoomLive || r.LectureID == ended {
			t.Fatalf("after the start: %+v", r)
		}
		if _, err := db.Admission(ctx, r.LectureID, "guest"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("last lecture's guest admitted to the new one: %v", err)
		}
		// Caption segment ids are unique per lecture: the new call may number them afresh.
		if ok, err := db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: ended, LectureID: r.LectureID,
			SegmentID: "SG_1", SpeakerIdentity: owner, SpeakerName: "A", TrackID: "TR_2", EndMs: 500, Text: "Оптика", CreatedAt: t0}); !ok || err != nil {
			t.Errorf("a segment id of the last lecture in the new one = %v, %v; want stored", ok, err)
		}
		if ok, _ := db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: ended, LectureID: ended,
			SegmentID: "SG_1", SpeakerIdentity: owner, SpeakerName: "A", TrackID: "TR_1", EndMs: 900, Text: "again", CreatedAt: t0}); ok {
			t.Error("a re-sent segment of the migrated lecture was stored twice")
		}
		if ls, _ := db.Lectures(ctx, ended); len(ls) != 2 || ls[0].Number != 2 || ls[1].ID != ended {
			t.Errorf("lectures after the start = %+v", ls)
		}
	})
}
