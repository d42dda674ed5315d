package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// DeleteEventsBefore deletes only events older than the cutoff, of every room, at most limit
// per call and the oldest first; the rooms' counters go on, so new events keep their numbers.
func TestDeleteEventsBefore(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r, other := newRoom(u.ID, "abc-defg-hjk"), newRoom(u.ID, "abc-defg-hjm")
		db.CreateRoom(ctx, r)
		db.CreateRoom(ctx, other)
		base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		// Room r: events at minutes 0..9; the other room: at minutes 0.5, 1.5, ... 9.5.
		for i := range 10 {
			for _, e := range []domain.Event{
				{RoomID: r.ID, CreatedAt: base.Add(time.Duration(i) * time.Minute)},
				{RoomID: other.ID, CreatedAt: base.Add(time.Duration(i)*time.Minute + 30*time.Second)},
			} {
				e.Type, e.Audience, e.Payload = "test", domain.AudienceAll, []byte(`{}`)
				if _, err := db.AppendEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}
		cutoff := base.Add(4 * time.Minute) // before: r's 0..3, the other's 0..3 (8 events)
		var calls []int
		for {
			n, err := db.DeleteEventsBefore(ctx, cutoff, 3)
			if err != nil {
				t.Fatal(err)
			}
			calls = append(calls, n)
			if n < 3 {
				break
			}
			if len(calls) == 1 {
				// The oldest first: r's 1, the other's 1, r's 2 are gone, the other's 2 is not.
				if evs, _ := db.EventsAfter(ctx, other.ID, 0, 1); len(evs) != 1 || evs[0].Seq != 2 {
					t.Fatalf("after the first batch, the other room starts with %+v, want seq 2", evs)
				}
			}
		}
		if want := []int{3, 3, 2}; len(calls) != 3 || calls[0] != 3 || calls[1] != 3 || calls[2] != 2 {
			t.Fatalf("batches deleted %v, want %v", calls, want)
		}
		for _, room := range []string{r.ID, other.ID} {
			evs, err := db.EventsAfter(ctx, room, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 6 || evs[0].Seq != 5 || evs[5].Seq != 10 || evs[0].CreatedAt.Before(cutoff) {
				t.Fatalf("room %s keeps %d events from %d, want 6 from seq 5 (none before the cutoff)", room, len(evs), evs[0].Seq)
			}
		}
		if n, err := db.DeleteEventsBefore(ctx, cutoff, 3); err != nil || n != 0 {
			t.Fatalf("again: %d, %v; want nothing left to delete", n, err)
		}
		e, err := db.AppendEvent(ctx, domain.Event{RoomID: r.ID, Type: "test", Audience: domain.AudienceAll, Payload: []byte(`{}`), CreatedAt: base})
		if err != nil || e.Seq != 11 {
			t.Fatalf("next event after the compaction: %d, %v; want 11", e.Seq, err)
		}
	})
}
