package sqlstore_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// Many writers append to one room while a reader keeps resuming after the last id it saw: the
// reader never finds a hole that is filled later (DESIGN §5), so it misses nothing.
func TestEventIDsNeverSkip(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		db.CreateRoom(ctx, r)
		other := newRoom(u.ID, "abc-defg-hjm")
		db.CreateRoom(ctx, other)

		const writers, each = 8, 40
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					payload, _ := json.Marshal(map[string]int{"w": w, "i": i})
					room := r.ID
					if i%5 == 0 {
						room = other.ID // another room's counter runs on its own
					}
					if _, err := db.AppendEvent(ctx, domain.Event{RoomID: room, Type: "test", Audience: domain.AudienceAll,
						Payload: payload, CreatedAt: time.Now().UTC()}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		var last int64
		want := int64(writers * (each - each/5))
		for finished := false; ; {
			select {
			case <-done:
				finished = true
			default:
			}
			evs, err := db.EventsAfter(ctx, r.ID, last, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Seq != last+1 {
					t.Fatalf("after %d the reader got %d: an event was skipped", last, e.Seq)
				}
				last = e.Seq
			}
			if finished && last == want {
				break
			}
			if finished && len(evs) == 0 {
				t.Fatalf("reader ended at %d, want %d", last, want)
			}
		}
		evs, _ := db.EventsAfter(ctx, other.ID, 0, 1000)
		if len(evs) != writers*each/5 || evs[0].Seq != 1 {
			t.Fatalf("other room has %d events starting at %d", len(evs), evs[0].Seq)
		}
	})
}

func TestAppendEventUnknownRoom(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	_, err := db.AppendEvent(context.Background(), domain.Event{RoomID: "nope", Type: "x", Audience: "all", Payload: []byte("{}"), CreatedAt: t0})
	if domain.ErrorCode(err) != domain.ENotFound {
		t.Fatalf("err = %v, want not found", err)
	}
}

// A transaction either writes all of its rows or none.
func TestInTxRollsBack(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		db.CreateRoom(ctx, r)
		err := db.InTx(ctx, func(st domain.Store) error {
			if _, err := st.AppendEvent(ctx, domain.Event{RoomID: r.ID, Type: "x", Audience: "all", Payload: []byte("{}"), CreatedAt: t0}); err != nil {
				return err
			}
			return domain.Errorf(domain.EConflict, "changed my mind")
		})
		if domain.ErrorCode(err) != domain.EConflict {
			t.Fatalf("err = %v", err)
		}
		if evs, _ := db.EventsAfter(ctx, r.ID, 0, 10); len(evs) != 0 {
			t.Fatalf("rolled-back event visible: %+v", evs)
		}
		if e, err := db.AppendEvent(ctx, domain.Event{RoomID: r.ID, Type: "x", Audience: "all", Payload: []byte("{}"), CreatedAt: t0}); err != nil || e.Seq != 1 {
			t.Fatalf("after rollback the next event is %d, %v; want 1", e.Seq, err)
		}
	})
}

// RewriteEvents changes only the events of that type about that subject, in that room, and
// keeps their numbers.
func TestRewriteEvents(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("rw@x.org"), false)
		r, other := newRoom(u.ID, "abc-defg-hjk"), newRoom(u.ID, "abc-defg-hjm")
		db.CreateRoom(ctx, r)
		db.CreateRoom(ctx, other)
		const gone, kept = "0b5f7a3e-3a4b-4c1d-9e2f-1a2b3c4d5e6f", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		add := func(room, typ, id, text string) {
			payload, _ := json.Marshal(map[string]string{"id": id, "text": text})
			if _, err := db.AppendEvent(ctx, domain.Event{RoomID: room, Type: typ, Audience: domain.AudienceAll, Payload: payload, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		add(r.ID, "chat.message", gone, "secret")
		add(r.ID, "chat.message", kept, "fine")
		add(r.ID, "hand", gone, "other type")
		add(other.ID, "chat.message", gone, "other room")
		n, err := db.RewriteEvents(ctx, r.ID, "chat.message", gone, "chat.deleted", []byte(`{"id":"`+gone+`"}`))
		if err != nil || n != 1 {
			t.Fatalf("rewrote %d, %v; want 1", n, err)
		}
		evs, _ := db.EventsAfter(ctx, r.ID, 0, 10)
		if len(evs) != 3 || evs[0].Seq != 1 || evs[0].Type != "chat.deleted" || string(evs[0].Payload) != `{"id":"`+gone+`"}` ||
			evs[1].Type != "chat.message" || evs[2].Type != "hand" {
			t.Fatalf("events after the rewrite: %+v", evs)
		}
		if o, _ := db.EventsAfter(ctx, other.ID, 0, 10); len(o) != 1 || o[0].Type != "chat.message" {
			t.Fatalf("the other room's events changed: %+v", o)
		}
		if _, err := db.RewriteEvents(ctx, r.ID, "chat.message", "%", "x", []byte("{}")); domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("a wildcard subject: %v, want invalid", err)
		}
	})
}
