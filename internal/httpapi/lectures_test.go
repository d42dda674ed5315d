package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

func TestLecturePage(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	admin := e.client()
	admin.register("admin@school.ru", "Admin")
	host := e.client()
	host.register("host@school.ru", "Анна")
	other := e.client()
	other.register("other@school.ru", "Boris")
	r := host.createRoom(map[string]any{"name": "Лекция", "lobbyEnabled": false})
	g, ga := guestIn(t, e, host, r.ID, "Маша", "fp-lecture-01")
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "Вопрос про хлорофилл"}), http.StatusCreated)
	ctx := context.Background()
	now := time.Now().UTC()
	for i, text := range []string{"Хлорофилл поглощает свет.", "Домашнее задание: глава 5."} {
		e.db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SegmentID: "SG" + string(rune('a'+i)),
			SpeakerIdentity: "host", SpeakerName: "Анна", StartMs: int64(i) * 60000, EndMs: int64(i)*60000 + 5000, Text: text, Language: "ru", CreatedAt: now})
	}
	e.db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_1", Identity: "g1", Name: "Маша", JoinedAt: ptr(now.Add(-40 * time.Minute)), LeftAt: ptr(now.Add(-10 * time.Minute))})
	e.db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_2", Identity: "g1", Name: "Маша", JoinedAt: ptr(now.Add(-20 * time.Minute)), LeftAt: ptr(now.Add(-5 * time.Minute))})

	for who, c := range map[string]*client{"anonymous": e.client(), "guest": g, "other host": other} {
		if got := c.do("GET", "/api/lectures/"+r.LectureID, nil); got.status != 401 && got.status != 403 {
			t.Fatalf("%s got %d", who, got.status)
		}
	}
	var page struct {
		Room       room
		Attendance []struct {
			Name        string
			Seconds     int64
			Connections int
		}
		Chat       []chatMsg
		Transcript []struct{ Speaker, Text string }
		Summary    struct{ Status, Kind, Markdown string }
		// Without Google Drive configured the page offers no Drive export.
		DriveExport *bool
	}
	res := admin.do("GET", "/api/lectures/"+r.LectureID, nil)
	want(t, res, http.StatusOK)
	res.json(t, &page)
	if page.DriveExport == nil || *page.DriveExport {
		t.Fatalf("driveExport = %v without Drive configured; body %s", page.DriveExport, res.body)
	}
	if page.Room.ID != r.ID || len(page.Chat) != 1 || len(page.Transcript) != 2 || page.Summary.Status != "PENDING" {
		t.Fatalf("page = %+v", page)
	}
	// Two overlapping connections of one guest: 35 minutes present, counted once.
	if len(page.Attendance) != 1 || page.Attendance[0].Seconds != 35*60 || page.Attendance[0].Connections != 2 {
		t.Fatalf("attendance = %+v", page.Attendance)
	}
	host.do("GET", "/api/lectures/"+r.LectureID+"?q="+"глава", nil).json(t, &page)
	if len(page.Transcript) != 1 || !strings.Contains(page.Transcript[0].Text, "глава 5") {
		t.Fatalf("search = %+v", page.Transcript)
	}
	md := host.do("GET", "/api/lectures/"+r.LectureID+"/export?format=md", nil)
	want(t, md, http.StatusOK)
	if !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") || !strings.Contains(md.header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(string(md.body), "Хлорофилл поглощает свет.") {
		t.Fatalf("markdown export: %v %s", md.header, md.body)
	}
	pdf := host.do("GET", "/api/lectures/"+r.LectureID+"/export?format=pdf", nil)
	want(t, pdf, http.StatusOK)
	if pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf.body), "%PDF-") {
		t.Fatalf("pdf export: %v", pdf.header)
	}
	want(t, host.do("GET", "/api/lectures/"+r.LectureID+"/export?format=exe", nil), http.StatusBadRequest)

	// A share link lets anyone read the page and its exports, until the owner turns it off.
	anon := e.client()
	want(t, anon.do("GET", "/api/lectures/"+r.LectureID+"?share=guess", nil), http.StatusForbidden)
	want(t, other.do("POST", "/api/lectures/"+r.LectureID+"/share", map[string]any{"enabled": true}), http.StatusForbidden)
	var share struct {
		Enabled    bool
		Token, URL string
	}
	host.do("POST", "/api/lectures/"+r.LectureID+"/share", map[string]any{"enabled": true}).json(t, &share)
	if !share.Enabled || share.Token == "" || !strings.HasSuffix(share.URL, "/lectures/"+r.LectureID+"?share="+share.Token) {
		t.Fatalf("share = %+v", share)
	}
	shared := anon.do("GET", "/api/lectures/"+r.LectureID+"?share="+share.Token, nil)
	want(t, shared, http.StatusOK)
	// The reader sees the lecture, not the room's invite code, its owner or anyone's identity
	// (a guest's is its session id).
	for what, secret := range map[string]string{"invite code": r.Code, "owner id": r.OwnerID, "guest session": ga.Identity, "attendee identity": "g1"} {
		if strings.Contains(string(shared.body), secret) {
			t.Errorf("the shared page shows the %s: %s", what, shared.body)
		}
	}
	var sharedPage struct {
		Room       struct{ Name string }
		Attendance []struct{ Identity, Name string }
		Chat       []chatMsg
	}
	shared.json(t, &sharedPage)
	if sharedPage.Room.Name != "Лекция" || len(sharedPage.Attendance) != 1 || sharedPage.Attendance[0].Identity == "" ||
		len(sharedPage.Chat) != 1 || sharedPage.Chat[0].Name != "Маша" {
		t.Fatalf("shared page = %+v", sharedPage)
	}
	want(t, anon.do("GET", "/api/lectures/"+r.LectureID+"/export?format=md&share="+share.Token, nil), http.StatusOK)
	other2 := host.createRoom(map[string]any{"name": "Другая"})
	want(t, anon.do("GET", "/api/lectures/"+other2.LectureID+"?share="+share.Token, nil), http.StatusForbidden)
	want(t, host.do("POST", "/api/lectures/"+r.LectureID+"/share", map[string]any{"enabled": false}), http.StatusOK)
	want(t, anon.do("GET", "/api/lectures/"+r.LectureID+"?share="+share.Token, nil), http.StatusForbidden)
	want(t, host.do("POST", "/api/lectures/"+r.LectureID+"/share", map[string]any{}), http.StatusBadRequest)
	want(t, other.do("GET", "/api/lectures/"+r.LectureID+"/export?format=pdf", nil), http.StatusForbidden)
}

func ptr[T any](v T) *T { return &v }
