package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// A room lasts a course: two lectures in one room, through the same invite code. Each has its
// own page (attendance, chat, transcript); a guest admitted to the first knocks again for the
// second; a guest banned in the first stays banned in the second.
func TestTwoLecturesInOneRoom(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newLiveEnv(t, d, nil)
		host, r := liveRoom(t, e, map[string]any{"name": "Физика, курс"})
		ctx := context.Background()
		byCode := func() room {
			var got room
			e.client().do("GET", "/api/rooms/by-code/"+r.Code, nil).json(t, &got)
			return got
		}
		if got := byCode(); got.ID != r.ID || got.Status != "LIVE" {
			t.Fatalf("invite code in the first lecture = %+v", got)
		}
		first := r.LectureID

		// The first lecture: Маша is admitted and writes; Хулиган is banned.
		masha, ma := guestIn(t, e, host, r.ID, "Маша", "fp-course-masha")
		want(t, masha.token(r.ID), http.StatusOK)
		want(t, masha.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "вопрос на первой"}), http.StatusCreated)
		rowdy, ra := guestIn(t, e, host, r.ID, "Хулиган", "fp-course-rowdy")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": ra.Identity}), http.StatusOK)
		now := time.Now().UTC()
		e.db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: r.ID, LectureID: first, SegmentID: "SG1",
			SpeakerIdentity: "host", SpeakerName: "Учитель", EndMs: 900, Text: "Сегодня волны", CreatedAt: now})
		e.db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: first, SID: "PA_1", Identity: ma.Identity, Name: "Маша",
			JoinedAt: ptr(now.Add(-30 * time.Minute)), LeftAt: ptr(now)})
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/end", nil), http.StatusOK)
		want(t, masha.token(r.ID), http.StatusForbidden) // her admission was the first lecture's

		// Between lectures the invite still opens the door: Петя knocks early for the next one
		// and waits (his stream says the lecture has not started, not that it ended).
		early := e.client()
		pe := early.join(r.ID, "Петя", "", "fp-course-early").joined(t)
		if pe.Status != "pending" {
			t.Fatalf("an early knock between lectures = %+v; want pending", pe)
		}
		earlyLobby := early.stream("/api/rooms/" + r.ID + "/lobby/stream")
		var waitSnap struct {
			Room  struct{ Status string }
			Entry struct{ EntryID, Status string }
		}
		json.Unmarshal([]byte(earlyLobby.Next("snapshot").Data), &waitSnap)
		if waitSnap.Room.Status != "CREATED" || waitSnap.Entry.EntryID != pe.EntryID || waitSnap.Entry.Status != "PENDING" {
			t.Fatalf("the early knocker's snapshot = %+v; want a pending knock on a lecture not started", waitSnap)
		}

		// The second lecture, in the same room through the same invite code.
		var again room
		host.do("POST", "/api/rooms/"+r.ID+"/start", nil).json(t, &again)
		second := again.LectureID
		if again.Status != "LIVE" || second == "" || second == first || again.Code != r.Code {
			t.Fatalf("second start = %+v", again)
		}
		if got := byCode(); got.ID != r.ID || got.Status != "LIVE" {
			t.Fatalf("invite code in the second lecture = %+v", got)
		}
		// The early knock is in the second lecture's lobby, and its stream hears the start.
		if st := earlyLobby.Next("room.state"); !strings.Contains(st.Data, `"status":"LIVE"`) {
			t.Fatalf("the early knocker heard %s; want the start", st.Data)
		}
		var queue []struct{ EntryID string }
		host.do("GET", "/api/rooms/"+r.ID+"/lobby", nil).json(t, &queue)
		if len(queue) != 1 || queue[0].EntryID != pe.EntryID {
			t.Fatalf("the second lecture's lobby = %+v; want Петя's early knock", queue)
		}
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": pe.EntryID, "action": "approve"}), http.StatusOK)
		want(t, early.token(r.ID), http.StatusOK)
		// Last week's admission does not hold: Маша knocks again and waits for the host.
		want(t, masha.token(r.ID), http.StatusForbidden)
		a2 := masha.join(r.ID, "Маша", "", "fp-course-masha").joined(t)
		if a2.Status != "pending" || a2.EntryID == ma.EntryID {
			t.Fatalf("Маша at the second lecture's door = %+v; want a new knock", a2)
		}
		// The ban holds: it is the room's.
		want(t, rowdy.join(r.ID, "Хулиган", "", "fp-course-rowdy"), http.StatusForbidden, "banned")
		want(t, e.client().join(r.ID, "Другой", "", "fp-course-rowdy"), http.StatusForbidden, "banned") // same browser
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a2.EntryID, "action": "approve"}), http.StatusOK)
		want(t, masha.token(r.ID), http.StatusOK)
		want(t, masha.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "вопрос на второй"}), http.StatusCreated)
		var chat []chatMsg
		masha.do("GET", "/api/rooms/"+r.ID+"/chat", nil).json(t, &chat)
		if len(chat) != 1 || chat[0].Text != "вопрос на второй" {
			t.Fatalf("the room's chat in the second lecture = %+v; want only this lecture's", chat)
		}
		e.db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: r.ID, LectureID: second, SegmentID: "SG1",
			SpeakerIdentity: "host", SpeakerName: "Учитель", EndMs: 900, Text: "Сегодня оптика", CreatedAt: now})
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/end", nil), http.StatusOK)

		// Each lecture has its page.
		type page struct {
			Room    room
			Lecture struct {
				ID, RoomID, Status string
				Number             int
			}
			Attendance []struct{ Name string }
			Chat       []chatMsg
			Transcript []struct{ Text string }
			Summary    struct{ Status string }
		}
		for _, c := range []struct {
			lecture          string
			number           int
			chat, transcript string
			attendance       int
		}{{first, 1, "вопрос на первой", "Сегодня волны", 1}, {second, 2, "вопрос на второй", "Сегодня оптика", 0}} {
			var p page
			res := host.do("GET", "/api/lectures/"+c.lecture, nil)
			want(t, res, http.StatusOK)
			res.json(t, &p)
			if p.Lecture.ID != c.lecture || p.Lecture.RoomID != r.ID || p.Lecture.Number != c.number || p.Lecture.Status != "ENDED" || p.Room.ID != r.ID {
				t.Fatalf("lecture %d: %+v", c.number, p.Lecture)
			}
			if len(p.Chat) != 1 || p.Chat[0].Text != c.chat || len(p.Transcript) != 1 || p.Transcript[0].Text != c.transcript ||
				len(p.Attendance) != c.attendance || p.Summary.Status == "" {
				t.Fatalf("lecture %d page = %+v", c.number, p)
			}
		}
		var lectures []struct {
			ID     string
			Number int
		}
		host.do("GET", "/api/rooms/"+r.ID+"/lectures", nil).json(t, &lectures)
		if len(lectures) != 2 || lectures[0].ID != second || lectures[1].ID != first {
			t.Fatalf("lectures = %+v", lectures)
		}
		// Another host sees neither the list nor a page.
		other := e.client()
		other.register("other-course@school.ru", "Чужой")
		want(t, other.do("GET", "/api/rooms/"+r.ID+"/lectures", nil), http.StatusForbidden)
		want(t, other.do("GET", "/api/lectures/"+first, nil), http.StatusForbidden)
		want(t, host.do("GET", "/api/lectures/"+uuid.NewString(), nil), http.StatusNotFound)
		want(t, host.do("GET", "/api/lectures/not-an-id", nil), http.StatusNotFound)
	})
}
