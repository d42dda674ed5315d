package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// A room's lease belongs to one holder until it runs out; only the holder renews or releases
// it; of many claiming at once exactly one wins.
func TestAgentRoomLease(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		if err := db.CreateRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
		claim := func(holder string, now time.Time) bool {
			t.Helper()
			ok, err := db.ClaimAgentRoom(ctx, r.LectureID, holder, now, now.Add(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim("a", t0) {
			t.Fatal("a free room was not claimed")
		}
		if claim("b", t0.Add(5*time.Second)) {
			t.Fatal("b took a running lease")
		}
		if !claim("a", t0.Add(9*time.Second)) {
			t.Fatal("the holder could not renew")
		}
		if claim("b", t0.Add(15*time.Second)) {
			t.Fatal("b took a renewed lease")
		}
		if !claim("b", t0.Add(20*time.Second)) {
			t.Fatal("b could not take a lease that ran out")
		}
		if err := db.ReleaseAgentRoom(ctx, r.LectureID, "a"); err != nil {
			t.Fatal(err)
		}
		if claim("a", t0.Add(21*time.Second)) {
			t.Fatal("a's release freed b's lease")
		}
		if err := db.ReleaseAgentRoom(ctx, r.LectureID, "b"); err != nil {
			t.Fatal(err)
		}

		now := t0.Add(time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for _, h := range []string{"p1", "p2", "p3", "p4", "p5", "p6"} {
			wg.Go(func() {
				ok, err := db.ClaimAgentRoom(ctx, r.LectureID, h, now, now.Add(10*time.Second))
				if err != nil && domain.ErrorCode(err) != domain.EUnavailable {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d holders won one room", won)
		}
		// The lease goes with its room.
		if err := db.DeleteRoom(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.ClaimAgentRoom(ctx, r.LectureID, "p1", now, now.Add(time.Second)); ok || err == nil {
			t.Fatalf("claimed a deleted room: %v %v", ok, err)
		}
	})
}

func TestAgentWorkers(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		beat := func(id string, seen time.Time, tracks int) {
			t.Helper()
			if err := db.BeatAgent(ctx, domain.AgentWorker{ID: id, STT: "deepgram", StartedAt: t0, SeenAt: seen, Rooms: 1, Tracks: tracks}); err != nil {
				t.Fatal(err)
			}
		}
		beat("old", t0, 1)
		beat("w1", t0.Add(time.Minute), 2)
		beat("w1", t0.Add(2*time.Minute), 3)
		got, err := db.AgentWorkers(ctx, t0.Add(90*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != "w1" || got[0].Tracks != 3 || !got[0].SeenAt.Equal(t0.Add(2*time.Minute)) || !got[0].StartedAt.Equal(t0) {
			t.Fatalf("AgentWorkers = %+v", got)
		}
		beat("w1", t0.Add(48*time.Hour), 0)
		if err := db.PurgeStale(ctx, t0.Add(48*time.Hour)); err != nil { // forgets "old"
			t.Fatal(err)
		}
		all, err := db.AgentWorkers(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Fatalf("a worker silent for two days is still listed: %+v", all)
		}
	})
}

// Housekeeping keeps recent webhook ids (LiveKit's retries are deduplicated) and forgets old ones.
func TestPurgeStaleWebhooks(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		for id, at := range map[string]time.Time{"EV_old": t0, "EV_new": t0.Add(7 * 24 * time.Hour)} {
			if _, err := db.MarkWebhook(ctx, id, "room_started", "r", at); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.PurgeStale(ctx, t0.Add(8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]bool{"EV_old": false, "EV_new": true} {
			if seen, err := db.WebhookSeen(ctx, id); err != nil || seen != want {
				t.Errorf("%s seen = %v (%v), want %v", id, seen, err, want)
			}
		}
	})
}
