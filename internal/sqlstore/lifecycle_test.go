package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func at(min int) *time.Time { v := t0.Add(time.Duration(min) * time.Minute); return &v }

func TestRoomLifecycleStore(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		if err := db.CreateRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.StartRoom(ctx, r.ID, r.LectureID, *at(1)); !ok || err != nil {
			t.Fatalf("StartRoom = %v, %v", ok, err)
		}
		if ok, _ := db.StartRoom(ctx, r.ID, r.LectureID, *at(2)); ok {
			t.Fatal("a LIVE room started again")
		}
		got, _ := db.Room(ctx, r.ID)
		if got.Status != domain.RoomLive || !got.StartedAt.Equal(*at(1)) {
			t.Fatalf("after start: %+v", got)
		}
		// One connection's events arrive duplicated and out of order; another never leaves.
		for _, a := range []domain.Attendance{
			{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_1", Identity: "g1", Name: "Гость", LeftAt: at(30)},
			{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_1", Identity: "g1", Name: "Гость", JoinedAt: at(5)},
			{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_1", Identity: "g1", Name: "", LeftAt: at(20)},
			{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_1", Identity: "g1", Name: "Гость", JoinedAt: at(7)},
			{RoomID: r.ID, LectureID: r.LectureID, SID: "PA_2", Identity: "g2", Name: "Other", JoinedAt: at(10)},
		} {
			if err := db.RecordAttendance(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := db.EndRoom(ctx, r.ID, r.LectureID, *at(60)); !ok || err != nil {
			t.Fatalf("EndRoom = %v, %v", ok, err)
		}
		if ok, err := db.EndRoom(ctx, r.ID, r.LectureID, *at(61)); ok || err != nil {
			t.Fatalf("second EndRoom = %v, %v; want false", ok, err)
		}
		got, _ = db.Room(ctx, r.ID)
		if got.Status != domain.RoomEnded || !got.EndedAt.Equal(*at(60)) {
			t.Fatalf("after end: %+v", got)
		}
		att, err := db.AttendanceOf(ctx, r.LectureID)
		if err != nil || len(att) != 2 {
			t.Fatalf("attendance = %+v, %v", att, err)
		}
		if a := att[0]; a.Name != "Гость" || !a.JoinedAt.Equal(*at(5)) || !a.LeftAt.Equal(*at(30)) {
			t.Fatalf("merged attendance = %+v; want joined at 5, left at 30", a)
		}
		if a := att[1]; !a.LeftAt.Equal(*at(60)) {
			t.Fatalf("open attendance closed at %v, want the end", a.LeftAt)
		}
		jobs, err := db.JobsOf(ctx, r.ID)
		if err != nil || len(jobs) != 1 || jobs[0].Kind != domain.JobSummary || jobs[0].Status != "QUEUED" {
			t.Fatalf("jobs = %+v, %v; want one queued summary", jobs, err)
		}
		// A room lasts a course: starting it again opens its next lecture, which has a door,
		// attendance and summary of its own.
		// A start that still names the ended lecture (a late webhook of its call) opens nothing.
		if ok, err := db.StartRoom(ctx, r.ID, r.LectureID, *at(65)); ok || err != nil {
			t.Fatalf("StartRoom of the ended lecture = %v, %v; want no change", ok, err)
		}
		next, _ := db.Room(ctx, r.ID)
		if ok, err := db.StartRoom(ctx, r.ID, next.LectureID, *at(70)); !ok || err != nil {
			t.Fatalf("StartRoom of an ENDED room = %v, %v; want its next lecture", ok, err)
		}
		again, _ := db.Room(ctx, r.ID)
		if again.Status != domain.RoomLive || again.LectureID == r.LectureID || !again.StartedAt.Equal(*at(70)) || again.EndedAt != nil {
			t.Fatalf("after the second start: %+v", again)
		}
		if att, _ := db.AttendanceOf(ctx, again.LectureID); len(att) != 0 {
			t.Fatalf("the new lecture has the old one's attendance: %+v", att)
		}
		lectures, err := db.Lectures(ctx, r.ID)
		if err != nil || len(lectures) != 2 {
			t.Fatalf("lectures = %+v, %v; want two", lectures, err)
		}
		if l := lectures[0]; l.ID != again.LectureID || l.Number != 2 || l.Status != domain.RoomLive || !l.StartedAt.Equal(*at(70)) {
			t.Fatalf("latest lecture = %+v", l)
		}
		if l := lectures[1]; l.ID != r.LectureID || l.Number != 1 || l.Status != domain.RoomEnded || !l.EndedAt.Equal(*at(60)) {
			t.Fatalf("first lecture = %+v", l)
		}
		if ok, err := db.EndRoom(ctx, r.ID, next.LectureID, *at(90)); !ok || err != nil {
			t.Fatalf("EndRoom of the second lecture = %v, %v", ok, err)
		}
		if jobs, _ := db.JobsOf(ctx, r.ID); len(jobs) != 2 || jobs[1].LectureID != again.LectureID {
			t.Fatalf("jobs = %+v; want a summary for each lecture", jobs)
		}
		if a, err := db.Artifact(ctx, again.LectureID); err != nil || a.SummaryStatus != domain.SummaryPending {
			t.Fatalf("second lecture's artifact = %+v, %v", a, err)
		}
		if l, err := db.Lecture(ctx, again.LectureID); err != nil || l.RoomID != r.ID || l.Status != domain.RoomEnded {
			t.Fatalf("Lecture = %+v, %v", l, err)
		}

		if seen, _ := db.WebhookSeen(ctx, "EV_1"); seen {
			t.Fatal("unseen event reported seen")
		}
		if first, err := db.MarkWebhook(ctx, "EV_1", "room_started", r.ID, t0); !first || err != nil {
			t.Fatalf("MarkWebhook = %v, %v", first, err)
		}
		if first, _ := db.MarkWebhook(ctx, "EV_1", "room_started", r.ID, t0); first {
			t.Fatal("an event id counted twice")
		}
		if seen, _ := db.WebhookSeen(ctx, "EV_1"); !seen {
			t.Fatal("seen event not reported")
		}
	})
}
