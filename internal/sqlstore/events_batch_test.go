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

// Batches (longer than one INSERT, with runs of two rooms) and single events written at once:
// every room's numbers run 1..N without a hole, and a batch's events of one room are
// consecutive and in their order.
func TestAppendEventsBatches(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r, other := newRoom(u.ID, "abc-defg-hjk"), newRoom(u.ID, "abc-defg-hjm")
		db.CreateRoom(ctx, r)
		db.CreateRoom(ctx, other)
		const writers, batches, size = 4, 3, 130
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for b := range batches {
					evs := make([]domain.Event, size)
					for i := range evs {
						room := r.ID
						if i >= size-10 {
							room = other.ID
						}
						p, _ := json.Marshal(map[string]int{"w": w, "b": b, "i": i})
						evs[i] = domain.Event{RoomID: room, Type: "batch", Audience: domain.AudienceAll, Payload: p, CreatedAt: time.Now().UTC()}
					}
					if _, err := db.AppendEvents(ctx, evs); err != nil {
						t.Error(err)
						return
					}
					for i := 1; i < size-10; i++ {
						if evs[i].Seq != evs[i-1].Seq+1 {
							t.Errorf("batch numbered %d after %d", evs[i].Seq, evs[i-1].Seq)
						}
					}
				}
			})
			wg.Go(func() {
				for range 20 {
					if _, err := db.AppendEvent(ctx, domain.Event{RoomID: r.ID, Type: "one", Audience: domain.AudienceAll,
						Payload: []byte(`{}`), CreatedAt: time.Now().UTC()}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		for room, want := range map[string]int{r.ID: writers * (batches*(size-10) + 20), other.ID: writers * batches * 10} {
			evs, err := db.EventsAfter(ctx, room, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != want {
				t.Fatalf("room has %d events, want %d", len(evs), want)
			}
			for i, e := range evs {
				if e.Seq != int64(i+1) {
					t.Fatalf("event %d has number %d", i, e.Seq)
				}
			}
		}
	})
}
